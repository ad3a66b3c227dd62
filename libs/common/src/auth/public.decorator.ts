import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'sharexpress:isPublic';

/** Marks a route (or controller) as reachable without a token; everything else is denied by default. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);
