import { applyDecorators } from '@nestjs/common';
import { ApiNotFoundResponse, ApiParam } from '@nestjs/swagger';

/** Documents `:sessionId` and the 404 every route under it may answer. */
export const SessionIdParam = (): MethodDecorator =>
  applyDecorators(
    ApiParam({
      name: 'sessionId',
      description: 'Public id of the session (22 URL-safe characters).',
      example: 'mZ3q8V0xT2kR9bYcLw4n1A',
    }),
    ApiNotFoundResponse({
      description: 'Unknown, malformed or someone else’s session (NOT_FOUND).',
    }),
  );
