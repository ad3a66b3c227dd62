import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Permission, PrincipalKind } from './principal.js';

export const PRINCIPAL_KINDS_KEY = 'sharexpress:principalKinds';
export const PERMISSIONS_KEY = 'sharexpress:permissions';

/** Name of the bearer security scheme in the OpenAPI document (DocumentBuilder.addBearerAuth()). */
export const BEARER_SCHEME = 'bearer';

/**
 * Declares which kinds of token a route (or controller) accepts. Without `@Public()`, `@Auth()`
 * or `@Permissions()` a route is refused to everyone.
 */
export const Auth = (...kinds: PrincipalKind[]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(PRINCIPAL_KINDS_KEY, kinds.length > 0 ? kinds : ['user']),
    ApiBearerAuth(BEARER_SCHEME),
    ApiUnauthorizedResponse({ description: 'Missing, invalid or expired access token.' }),
  );

/**
 * Requires these device permissions. Accepts users and devices: a device must hold every
 * permission; a user's ownership is checked by the service next to the query.
 */
export const Permissions = (...permissions: Permission[]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    Auth('user', 'device'),
    SetMetadata(PERMISSIONS_KEY, permissions),
    ApiForbiddenResponse({ description: 'The device lacks a required permission.' }),
  );
