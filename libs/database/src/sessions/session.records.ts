import type { Permission } from '@app/common';
import type { DeviceDoc, Session } from './session.schema.js';
import type { DeviceRecord, EventData, SessionRecord } from './session.types.js';

/** What `lean()` returns for a session (`_id` is the public id, a string). */
export type LeanSession = Session;

const permissions = (values: readonly string[] | undefined): Permission[] =>
  (values ?? []).map((p) => p as Permission);

export const toDeviceRecord = (doc: DeviceDoc): DeviceRecord => ({
  id: doc.id,
  name: doc.name,
  userAgent: doc.userAgent ?? null,
  status: doc.status,
  permissions: permissions(doc.permissions),
  pairingId: doc.pairingId,
  createdAt: doc.createdAt,
  lastSeenAt: doc.lastSeenAt ?? null,
  decidedAt: doc.decidedAt ?? null,
});

export const toSessionRecord = (doc: LeanSession): SessionRecord => ({
  id: doc._id,
  ownerId: doc.ownerId,
  name: doc.name,
  status: doc.status,
  guestPermissions: permissions(doc.guestPermissions),
  requireApproval: doc.requireApproval,
  limits: {
    maxDevices: doc.limits.maxDevices,
    maxFiles: doc.limits.maxFiles,
    maxTotalBytes: doc.limits.maxTotalBytes,
    maxFileBytes: doc.limits.maxFileBytes,
    maxDownloadsPerFile: doc.limits.maxDownloadsPerFile,
  },
  stats: { files: doc.stats.files, bytes: doc.stats.bytes, devices: doc.stats.devices },
  devices: (doc.devices ?? []).map(toDeviceRecord),
  createdAt: doc.createdAt,
  expiresAt: doc.expiresAt,
  closedAt: doc.closedAt ?? null,
  seq: doc.seq,
});

// Plain identifiers only: a key with `$` or `.` would mean something else to MongoDB.
const SAFE_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** A copy holding only JSON-safe primitives (what EventData promises), so nothing else is stored. */
export function safeEventData(data: EventData | undefined): EventData {
  const out: EventData = {};
  for (const [key, value] of Object.entries(data ?? {})) {
    if (!SAFE_KEY.test(key)) continue;
    if (
      value === null ||
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value))
    ) {
      out[key] = value;
    }
  }
  return out;
}
