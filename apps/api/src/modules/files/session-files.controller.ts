import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiGoneResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { Auth, CurrentPrincipal, Permissions, type Principal } from '@app/common';
import { SessionIdParam } from '../sessions/index.js';
import { DeclareService } from './declare.service.js';
import { DeclareFileDto } from './dto/declare-file.dto.js';
import { FilePageResponse } from './dto/file-page.response.js';
import { ListFilesQuery } from './dto/list-files.query.js';
import {
  DeclaredFileResponse,
  MultipartUploadResponse,
  SingleUploadResponse,
} from './dto/upload.response.js';
import { SESSION_GONE } from './file-param.js';
import { FilesService } from './files.service.js';

@ApiTags('files')
@ApiExtraModels(SingleUploadResponse, MultipartUploadResponse)
@Controller('v1/sessions/:sessionId/files')
export class SessionFilesController {
  constructor(
    private readonly declares: DeclareService,
    private readonly files: FilesService,
  ) {}

  @Post()
  @Permissions('upload')
  @SessionIdParam()
  @ApiOperation({
    summary: 'Declare a file (name, size, type, SHA-256) and get where to upload its bytes',
  })
  @ApiCreatedResponse({
    type: DeclaredFileResponse,
    description: 'The file (pending) and how to upload it: one presigned PUT, or parts.',
  })
  @ApiBadRequestResponse({
    description:
      'Invalid body: unknown field, a size that is not a non-negative integer, a sha256 that is ' +
      'not 64 lower-case hex digits, or a name with nothing left once made safe (VALIDATION_FAILED).',
  })
  @ApiConflictResponse({ description: 'The session holds as many files as it allows (CONFLICT).' })
  @ApiGoneResponse(SESSION_GONE)
  @ApiPayloadTooLargeResponse({
    description:
      'Larger than MAX_FILE_BYTES or the session’s maxFileBytes, or than the room the session ' +
      'has left (PAYLOAD_TOO_LARGE).',
  })
  @ApiUnsupportedMediaTypeResponse({
    description:
      'contentType is not a bare type/subtype, or the content type policy refuses it (UNSUPPORTED_MEDIA_TYPE).',
  })
  @ApiTooManyRequestsResponse({
    description:
      'The owner’s daily quota of files or bytes is spent (QUOTA_EXCEEDED, Retry-After: seconds ' +
      'until the next UTC day), or rate limited (RATE_LIMITED, Retry-After).',
  })
  declare(
    @CurrentPrincipal() principal: Principal,
    @Param('sessionId') sessionId: string,
    @Body() body: DeclareFileDto,
  ): Promise<DeclaredFileResponse> {
    return this.declares.declare(principal, sessionId, body);
  }

  @Get()
  @Auth('user', 'device')
  @SessionIdParam()
  @ApiOperation({
    summary: 'The session’s files, oldest first: every file for the owner, ready ones for devices',
  })
  @ApiOkResponse({ type: FilePageResponse, description: 'One page of files.' })
  @ApiBadRequestResponse({ description: 'Bad limit or cursor (VALIDATION_FAILED).' })
  @ApiTooManyRequestsResponse({ description: 'Rate limited (RATE_LIMITED, Retry-After).' })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('sessionId') sessionId: string,
    @Query() query: ListFilesQuery,
  ): Promise<FilePageResponse> {
    return this.files.list(principal, sessionId, query);
  }
}
