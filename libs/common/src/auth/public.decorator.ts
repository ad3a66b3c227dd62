import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const IS_PUBLIC_KEY = 'sharexpress:isPublic';

/** OpenAPI extension set on every public operation; anything without it requires a token. */
export const PUBLIC_EXTENSION = 'x-public';

/** Marks a route (or controller) as reachable without a token; everything else is denied by default. */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), ApiExtension(PUBLIC_EXTENSION, true));
