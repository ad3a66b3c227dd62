import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiGoneResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, Permissions, type Principal } from '@app/common';
import { RequestPartsDto } from './dto/parts.dto.js';
import { PartUrlsResponse, StoredPartsResponse } from './dto/parts.response.js';
import { FileIdParam, NOT_UPLOADER, RateLimited } from './file-param.js';
import { PartsService } from './parts.service.js';

const NOT_OPEN = {
  description: 'The file is not a pending multipart upload (CONFLICT).',
};
const GONE = {
  description:
    'The session is closed or expired (SESSION_EXPIRED), or the file’s upload window has closed (GONE).',
};

@ApiTags('files')
@RateLimited()
@Controller('v1/files/:fileId/parts')
export class FilePartsController {
  constructor(private readonly parts: PartsService) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @ApiForbiddenResponse(NOT_UPLOADER)
  @Permissions('upload')
  @FileIdParam()
  @ApiOperation({
    summary: 'Presigned URLs for parts of a multipart upload, each binding its length and SHA-256',
  })
  @ApiOkResponse({ type: PartUrlsResponse, description: 'One URL per requested part.' })
  @ApiBadRequestResponse({
    description:
      'Invalid body: 0 or more than 100 parts, a repeated part number, one outside 1..partCount, ' +
      'or a sha256 that is not 64 lower-case hex digits (VALIDATION_FAILED).',
  })
  @ApiConflictResponse(NOT_OPEN)
  @ApiGoneResponse(GONE)
  sign(
    @CurrentPrincipal() principal: Principal,
    @Param('fileId') fileId: string,
    @Body() body: RequestPartsDto,
  ): Promise<PartUrlsResponse> {
    return this.parts.sign(principal, fileId, body);
  }

  @Get()
  @ApiForbiddenResponse(NOT_UPLOADER)
  @Permissions('upload')
  @FileIdParam()
  @ApiOperation({ summary: 'The parts storage already holds, to resume an interrupted upload' })
  @ApiOkResponse({ type: StoredPartsResponse, description: 'By part number.' })
  @ApiConflictResponse(NOT_OPEN)
  @ApiGoneResponse(GONE)
  stored(
    @CurrentPrincipal() principal: Principal,
    @Param('fileId') fileId: string,
  ): Promise<StoredPartsResponse> {
    return this.parts.stored(principal, fileId);
  }
}
