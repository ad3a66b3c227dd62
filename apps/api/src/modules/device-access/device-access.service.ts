import { Injectable, Logger } from '@nestjs/common';
import type { DevicePrincipal } from '@app/common';
import { DeviceRepository, SessionRepository, type SessionRecord } from '@app/database';

/** `lastSeenAt` is written at most this often per device (no write per request). */
export const LAST_SEEN_INTERVAL_MS = 60_000;

/**
 * Whether a device token still stands: its session is active (stored `active` and not past
 * `expiresAt`) and its device is `active`. One read of the session document answers both (the
 * devices are embedded), and that read is kept for the request (`sessionOf`), so a route that
 * needs the session does not read it again. Nothing is cached across requests: revoking the
 * device or closing the session refuses the very next request on every replica.
 */
// Keyed by the principal object the strategy puts on the request: it lives as long as the
// request does, so the record goes with it. Module-wide rather than per instance because
// passport keeps one strategy per name per process: with two apps in one process (the
// two-replica e2e tests) the strategy of one may authenticate the other's requests.
const reads = new WeakMap<DevicePrincipal, SessionRecord>();

@Injectable()
export class DeviceAccessService {
  private readonly logger = new Logger(DeviceAccessService.name);

  constructor(
    private readonly sessions: SessionRepository,
    private readonly devices: DeviceRepository,
  ) {}

  /**
   * True iff the device token stands at `now`. A failing lookup (database down) rejects: it is
   * never taken for an answer.
   */
  async authenticate(principal: DevicePrincipal, now = new Date()): Promise<boolean> {
    const session = await this.sessions.findById(principal.sessionId);
    if (session === null) return false;
    if (session.status !== 'active' || session.expiresAt.getTime() <= now.getTime()) return false;
    const device = session.devices.find((d) => d.id === principal.deviceId);
    if (device === undefined || device.status !== 'active') return false;
    reads.set(principal, session);
    if (
      device.lastSeenAt === null ||
      now.getTime() - device.lastSeenAt.getTime() > LAST_SEEN_INTERVAL_MS
    ) {
      this.touch(session.id, device.id, now);
    }
    return true;
  }

  /** The session read by `authenticate()` for this principal, when it let the device in. */
  sessionOf(principal: DevicePrincipal): SessionRecord | undefined {
    return reads.get(principal);
  }

  // Not awaited by the request: a slow or failing write must not delay or fail it.
  private touch(sessionId: string, deviceId: string, now: Date): void {
    void this.devices
      .touch(sessionId, deviceId, now, LAST_SEEN_INTERVAL_MS)
      .catch((error: unknown) => {
        this.logger.warn(
          `lastSeenAt of device ${deviceId} not updated: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
  }
}
