import { Controller, Param, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiGoneResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, Permissions, type Principal } from '@app/common';
import { DownloadResponse } from './dto/download.response.js';
import { DownloadGrantService } from './download-grant.service.js';
import { FileIdParam, RateLimited } from './file-param.js';

@ApiTags('files')
@RateLimited()
@Controller('v1/files/:fileId/downloads')
export class FileDownloadsController {
  constructor(private readonly downloads: DownloadGrantService) {}

  @Post()
  @Permissions('download')
  @FileIdParam()
  @ApiOperation({ summary: 'Grant one download: a presigned GET valid for about a minute' })
  @ApiCreatedResponse({ type: DownloadResponse, description: 'Counted against maxDownloads.' })
  @ApiConflictResponse({ description: 'The file is not ready (CONFLICT).' })
  @ApiGoneResponse({
    description:
      'The session is closed or expired (SESSION_EXPIRED), or the file was downloaded as often ' +
      'as it allows (DOWNLOAD_LIMIT_REACHED).',
  })
  grant(
    @CurrentPrincipal() principal: Principal,
    @Param('fileId') fileId: string,
  ): Promise<DownloadResponse> {
    return this.downloads.grant(principal, fileId);
  }
}
