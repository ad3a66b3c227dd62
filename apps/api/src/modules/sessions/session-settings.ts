import { AppError, Permission, type FieldError } from '@app/common';
import type { AppConfig } from '@app/config';
import type { SessionLimits } from '@app/database';
import type { CreateSessionDto, SessionLimitsDto } from './dto/create-session.dto.js';
import type { UpdateSessionDto } from './dto/update-session.dto.js';

export type SessionBounds = AppConfig['sessions'];

export const DEFAULT_SESSION_NAME = 'Sharing session';
export const DEFAULT_GUEST_PERMISSIONS: readonly Permission[] = [
  Permission.Upload,
  Permission.Download,
];

const LIMIT_KEYS = [
  'maxDevices',
  'maxFiles',
  'maxTotalBytes',
  'maxFileBytes',
  'maxDownloadsPerFile',
] as const satisfies readonly (keyof SessionLimits & keyof SessionLimitsDto)[];

export interface NewSessionSettings {
  name: string;
  ttlSeconds: number;
  guestPermissions: Permission[];
  requireApproval: boolean;
  limits: SessionLimits;
}

export interface SessionChangeRequest {
  name?: string;
  ttlSeconds?: number;
}

// The DTOs checked types and lower bounds; the server's own bounds (config, read at run time)
// are checked here, each failure naming its field like the global pipe does.
function ttlProblem(ttlSeconds: number, bounds: SessionBounds): FieldError | undefined {
  if (ttlSeconds >= bounds.minTtlSeconds && ttlSeconds <= bounds.maxTtlSeconds) return undefined;
  return {
    field: 'ttlSeconds',
    message: `ttlSeconds must be between ${String(bounds.minTtlSeconds)} and ${String(bounds.maxTtlSeconds)}`,
  };
}

function invalid(errors: FieldError[]): AppError {
  return new AppError('VALIDATION_FAILED', 'The request is invalid.', { errors });
}

/** A new session's settings: the request's values within the server bounds, defaults elsewhere. */
export function newSessionSettings(
  body: CreateSessionDto,
  bounds: SessionBounds,
): NewSessionSettings {
  const errors: FieldError[] = [];
  const ttlSeconds = body.ttlSeconds ?? bounds.defaultTtlSeconds;
  if (body.ttlSeconds !== undefined) {
    const problem = ttlProblem(body.ttlSeconds, bounds);
    if (problem) errors.push(problem);
  }
  const limits = { ...pickLimits(bounds) };
  for (const key of LIMIT_KEYS) {
    const asked = body.limits?.[key];
    if (asked === undefined || asked === null) continue;
    if (asked > bounds[key]) {
      errors.push({
        field: `limits.${key}`,
        message: `limits.${key} must not be greater than ${String(bounds[key])}`,
      });
    }
    limits[key] = asked;
  }
  if (errors.length > 0) throw invalid(errors);
  return {
    name: body.name ?? DEFAULT_SESSION_NAME,
    ttlSeconds,
    guestPermissions: [...(body.guestPermissions ?? DEFAULT_GUEST_PERMISSIONS)],
    requireApproval: body.requireApproval ?? false,
    limits,
  };
}

/** A PATCH body: at least one field, ttlSeconds within the server bounds. */
export function sessionChange(body: UpdateSessionDto, bounds: SessionBounds): SessionChangeRequest {
  const name = body.name ?? undefined;
  const ttlSeconds = body.ttlSeconds ?? undefined;
  if (name === undefined && ttlSeconds === undefined) {
    throw invalid([{ field: 'name', message: 'give name or ttlSeconds (or both)' }]);
  }
  if (ttlSeconds !== undefined) {
    const problem = ttlProblem(ttlSeconds, bounds);
    if (problem) throw invalid([problem]);
  }
  return { name, ttlSeconds };
}

const pickLimits = (bounds: SessionBounds): SessionLimits => ({
  maxDevices: bounds.maxDevices,
  maxFiles: bounds.maxFiles,
  maxTotalBytes: bounds.maxTotalBytes,
  maxFileBytes: bounds.maxFileBytes,
  maxDownloadsPerFile: bounds.maxDownloadsPerFile,
});
