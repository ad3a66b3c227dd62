// Who is calling. The authentication guard puts exactly one of these on `request.user`.

/** What a device may do inside its session (the session's guest permissions, frozen in its token). */
export const Permission = {
  Upload: 'upload',
  Download: 'download',
  Delete: 'delete',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];
export const PERMISSIONS: readonly Permission[] = Object.values(Permission);

export type PrincipalKind = 'user' | 'device';

/** A signed-in account (user access token). */
export interface UserPrincipal {
  kind: 'user';
  userId: string;
  email: string;
}

/** A paired device, valid for one session only (device access token). */
export interface DevicePrincipal {
  kind: 'device';
  deviceId: string;
  sessionId: string;
  permissions: Permission[];
}

export type Principal = UserPrincipal | DevicePrincipal;

export const isPermission = (value: unknown): value is Permission =>
  typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value);
