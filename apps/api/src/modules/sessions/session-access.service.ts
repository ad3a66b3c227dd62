import { Injectable } from '@nestjs/common';
import { isPublicId, type Principal, type UserPrincipal } from '@app/common';
import { SessionRepository, type SessionRecord } from '@app/database';
import { DeviceAccessService } from '../device-access/index.js';
import { effectiveStatus } from './session-status.js';
import { sessionNotFound, sessionNotLive } from './sessions.errors.js';

/**
 * Object-level access to a session, for every module with routes under /v1/sessions/:sessionId.
 * Unknown, malformed and foreign ids all answer 404 NOT_FOUND, never 403.
 */
@Injectable()
export class SessionAccessService {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly devices: DeviceAccessService,
  ) {}

  /** The user's own session (any status); else 404. */
  async owned(user: UserPrincipal, sessionId: string): Promise<SessionRecord> {
    if (!isPublicId(sessionId)) throw sessionNotFound();
    const session = await this.sessions.findById(sessionId);
    if (session === null || session.ownerId !== user.userId) throw sessionNotFound();
    return session;
  }

  /**
   * The session for its owner, or for a device of it. A device's session is the record its token
   * check already read (DeviceAccessService.sessionOf), so a device request reads it only once.
   */
  async readable(principal: Principal, sessionId: string): Promise<SessionRecord> {
    if (principal.kind === 'user') return this.owned(principal, sessionId);
    if (!isPublicId(sessionId) || principal.sessionId !== sessionId) throw sessionNotFound();
    const session = this.devices.sessionOf(principal);
    if (session?.id !== sessionId) throw sessionNotFound();
    return session;
  }

  /** Refuses writes and pairings on a session that is not active at `now`: 410 SESSION_EXPIRED. */
  assertLive(session: SessionRecord, now: Date): void {
    const status = effectiveStatus(session, now);
    if (status !== 'active') throw sessionNotLive(status);
  }
}
