import { Body, Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiGoneResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentPrincipal, Permissions, type Principal } from '@app/common';
import { CompleteService } from './complete.service.js';
import { CompleteFileDto } from './dto/parts.dto.js';
import { FileResponse } from './dto/file.response.js';
import { FileIdParam, NOT_UPLOADER, RateLimited, SESSION_GONE } from './file-param.js';

@ApiTags('files')
@RateLimited()
@Controller('v1/files/:fileId/complete')
export class FileCompleteController {
  constructor(private readonly completes: CompleteService) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @ApiForbiddenResponse(NOT_UPLOADER)
  @Permissions('upload')
  @FileIdParam()
  @ApiOperation({
    summary:
      'Complete an upload: ready once storage proves the declared bytes (verifying for multipart)',
  })
  @ApiOkResponse({
    type: FileResponse,
    description:
      'ready (single), or verifying (multipart: the whole-file SHA-256 is read back, then ready ' +
      'or rejected by itself). Completing again answers the same.',
  })
  @ApiBadRequestResponse({
    description:
      'Invalid body, a part list for a single upload, or one that differs from what storage holds (VALIDATION_FAILED).',
  })
  @ApiConflictResponse({
    description:
      'Storage does not hold the object, or not every part at its planned size; the file stays ' +
      'pending (UPLOAD_INCOMPLETE).',
  })
  @ApiGoneResponse(SESSION_GONE)
  @ApiUnprocessableEntityResponse({
    description:
      'Size, SHA-256 or content (a recognizable format contradicting the declared type) did not ' +
      'match: the file is rejected and its object deleted (INTEGRITY_MISMATCH).',
  })
  complete(
    @CurrentPrincipal() principal: Principal,
    @Param('fileId') fileId: string,
    @Body() body: CompleteFileDto,
  ): Promise<FileResponse> {
    return this.completes.complete(principal, fileId, body);
  }
}
