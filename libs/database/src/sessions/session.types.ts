import type { Permission } from '@app/common';

/** As stored. `expired` is also what an `active` session past `expiresAt` reads as. */
export type StoredSessionStatus = 'active' | 'closed' | 'expired';
export type DeviceStatus = 'pending' | 'active' | 'rejected' | 'revoked';

export interface SessionLimits {
  maxDevices: number;
  maxFiles: number;
  maxTotalBytes: number;
  maxFileBytes: number;
  maxDownloadsPerFile: number;
}

export interface SessionStats {
  files: number;
  bytes: number;
  /** Devices that are pending or active (what `maxDevices` bounds). */
  devices: number;
}

/** A device, embedded in its session's document (bounded by the session's device cap). */
export interface DeviceRecord {
  id: string;
  name: string;
  /** The claiming client's User-Agent, shown to the owner before approval. */
  userAgent: string | null;
  status: DeviceStatus;
  /** The session's guest permissions when the device claimed (frozen in its tokens). */
  permissions: Permission[];
  pairingId: string;
  /** Claim time. */
  createdAt: Date;
  lastSeenAt: Date | null;
  /** When the owner approved, rejected or revoked it. */
  decidedAt: Date | null;
}

export interface SessionRecord {
  id: string;
  ownerId: string;
  name: string;
  status: StoredSessionStatus;
  guestPermissions: Permission[];
  requireApproval: boolean;
  limits: SessionLimits;
  stats: SessionStats;
  devices: DeviceRecord[];
  createdAt: Date;
  expiresAt: Date;
  closedAt: Date | null;
  /** Sequence number of the session's latest event (1 after creation). */
  seq: number;
}

/** JSON-safe event payload: never a secret, hash or token. */
export type EventData = Record<string, string | number | boolean | null>;

/** An event to record together with a state change, in the same atomic update. */
export interface SessionEventInput {
  type: string;
  data: EventData;
}

export interface EventRecord {
  sessionId: string;
  seq: number;
  type: string;
  at: Date;
  data: EventData;
}
