import type { Permission } from '@app/common';
import type { DeviceStatus, SessionEventInput, SessionRecord } from './session.types.js';

export interface NewDevice {
  id: string;
  name: string;
  userAgent: string | null;
  status: 'pending' | 'active';
  permissions: Permission[];
  pairingId: string;
  createdAt: Date;
}

/** The device array keeps rejected and revoked devices too, up to this many per allowed one… */
export const DEVICE_HISTORY_FACTOR = 4;
/** …and never fewer than this many in all, so a small session survives some churn. */
export const DEVICE_HISTORY_MIN = 20;

/** How many devices (of any status) a session with `maxDevices` keeps: its history cap. */
export const deviceHistoryCap = (maxDevices: number): number =>
  Math.max(DEVICE_HISTORY_FACTOR * maxDevices, DEVICE_HISTORY_MIN);

export type AddDeviceResult =
  | { ok: true; session: SessionRecord }
  /**
   * unknown session · not active or past expiresAt · maxDevices pending and active devices
   * (revoking one makes room) · the history cap reached (nothing makes room: a new session)
   */
  | { ok: false; reason: 'not_found' | 'inactive' | 'full' | 'history_full' };

/** A session's embedded devices. Lives on the sessions collection; used by the pairing module. */
export abstract class DeviceRepository {
  /**
   * Adds a device in one conditional update: the session is `active` and not past `expiresAt`
   * at `now`, `stats.devices` (pending + active) is below `limits.maxDevices`, and the device
   * array is below its history cap (`deviceHistoryCap(maxDevices)`). Increments `stats.devices`
   * and records `event` (device.claimed). Concurrent adds never exceed maxDevices. A session at
   * its history cap answers `history_full` (before `full`: it is the refusal that lasts).
   */
  abstract add(
    sessionId: string,
    device: NewDevice,
    now: Date,
    event: SessionEventInput,
  ): Promise<AddDeviceResult>;

  /**
   * Moves a device of an owned session from one of `from` to `to`, sets `decidedAt`, keeps
   * `stats.devices` right (−1 when leaving pending/active for rejected/revoked) and records
   * `event`. With `requireLiveSession` the session must be `active` and not past `expiresAt`.
   * Null when nothing matched (unknown session or device, not owned, wrong state).
   */
  abstract transition(
    ownerId: string,
    sessionId: string,
    deviceId: string,
    from: DeviceStatus[],
    to: DeviceStatus,
    now: Date,
    event: SessionEventInput,
    requireLiveSession: boolean,
  ): Promise<SessionRecord | null>;

  /**
   * Active devices of sessions that are active and not past `expiresAt` at `now` (a gauge). The
   * database gives up after 2 s (maxTimeMS) and the call rejects, rather than stall a scrape.
   */
  abstract countActive(now: Date): Promise<number>;

  /** Sets `lastSeenAt` to `now` if it is null or older than `now - minIntervalMs`. No event. */
  abstract touch(
    sessionId: string,
    deviceId: string,
    now: Date,
    minIntervalMs: number,
  ): Promise<void>;
}
