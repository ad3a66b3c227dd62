import { applyDecorators } from '@nestjs/common';
import { ApiNotFoundResponse, ApiParam, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { EXAMPLE_FILE_ID } from './dto/examples.js';

/** Documents `:fileId` and the 404 every route under it may answer. */
export const FileIdParam = (): MethodDecorator =>
  applyDecorators(
    ApiParam({
      name: 'fileId',
      description: 'Public id of the file (22 URL-safe characters).',
      example: EXAMPLE_FILE_ID,
    }),
    ApiNotFoundResponse({
      description:
        'Unknown, malformed, deleted or someone else’s file; for a device, a file of another ' +
        'session or one that is not ready and not its own (NOT_FOUND).',
    }),
  );

export const RATE_LIMITED = { description: 'Rate limited (RATE_LIMITED, Retry-After).' };
export const RateLimited = (): ClassDecorator => ApiTooManyRequestsResponse(RATE_LIMITED);

export const SESSION_GONE = {
  description: 'The session is closed or expired (SESSION_EXPIRED).',
};
export const NOT_UPLOADER = {
  description:
    'A device without the `upload` permission, or someone other than whoever declared the file (FORBIDDEN).',
};
