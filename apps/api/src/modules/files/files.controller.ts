import { Controller, Delete, Get, HttpCode, HttpStatus, Param } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiGoneResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth, CurrentPrincipal, Permissions, type Principal } from '@app/common';
import { FileResponse } from './dto/file.response.js';
import { FileIdParam, RateLimited, SESSION_GONE } from './file-param.js';
import { FilesService } from './files.service.js';

@ApiTags('files')
@RateLimited()
@Controller('v1/files/:fileId')
export class FilesController {
  constructor(private readonly files: FilesService) {}

  @Get()
  @Auth('user', 'device')
  @FileIdParam()
  @ApiOperation({ summary: 'A file, for its session’s owner or a device of that session' })
  @ApiOkResponse({ type: FileResponse, description: 'Also in a closed or expired session.' })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('fileId') fileId: string,
  ): Promise<FileResponse> {
    return this.files.get(principal, fileId);
  }

  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiForbiddenResponse({ description: 'A device without the `delete` permission (FORBIDDEN).' })
  @Permissions('delete')
  @FileIdParam()
  @ApiOperation({ summary: 'Delete a file: its object first, then its record' })
  @ApiNoContentResponse({ description: 'Deleted (also when it already was).' })
  @ApiConflictResponse({ description: 'The file kept changing meanwhile; try again (CONFLICT).' })
  @ApiGoneResponse(SESSION_GONE)
  delete(@CurrentPrincipal() principal: Principal, @Param('fileId') fileId: string): Promise<void> {
    return this.files.delete(principal, fileId);
  }
}
