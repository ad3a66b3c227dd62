import { Inject, Injectable } from '@nestjs/common';
import { isPublicId, newPublicId, type Principal, type UserPrincipal } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { SessionRepository, type SessionEventInput } from '@app/database';
import type { CreateSessionDto } from './dto/create-session.dto.js';
import type { ListSessionsQuery } from './dto/list-sessions.query.js';
import { PAGE_LIMIT_DEFAULT } from './dto/query-fields.js';
import type { SessionPageResponse } from './dto/session-page.response.js';
import { toSessionResponse, type SessionResponse } from './dto/session.response.js';
import type { UpdateSessionDto } from './dto/update-session.dto.js';
import { SessionAccessService } from './session-access.service.js';
import { SessionMetrics } from './session-metrics.js';
import { newSessionSettings, sessionChange } from './session-settings.js';
import { sessionNotFound, sessionNotLive } from './sessions.errors.js';
import { effectiveStatus } from './session-status.js';

const SECOND_MS = 1000;

/** Create, list, read, extend or rename, and close sessions. */
@Injectable()
export class SessionsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: SessionRepository,
    private readonly access: SessionAccessService,
    private readonly metrics: SessionMetrics,
  ) {}

  async create(user: UserPrincipal, body: CreateSessionDto): Promise<SessionResponse> {
    const settings = newSessionSettings(body, this.config.sessions);
    const now = new Date();
    const expiresAt = new Date(now.getTime() + settings.ttlSeconds * SECOND_MS);
    const record = await this.sessions.create(
      {
        id: newPublicId(),
        ownerId: user.userId,
        name: settings.name,
        guestPermissions: settings.guestPermissions,
        requireApproval: settings.requireApproval,
        limits: settings.limits,
        createdAt: now,
        expiresAt,
      },
      {
        type: 'session.created',
        data: { name: settings.name, expiresAt: expiresAt.toISOString() },
      },
    );
    this.metrics.sessionCreated();
    return toSessionResponse(record, now);
  }

  async list(user: UserPrincipal, query: ListSessionsQuery): Promise<SessionPageResponse> {
    const page = await this.sessions.listByOwner(
      user.userId,
      query.limit ?? PAGE_LIMIT_DEFAULT,
      query.cursor ?? null,
    );
    const now = new Date();
    return {
      items: page.items.map((record) => toSessionResponse(record, now)),
      nextCursor: page.nextCursor,
    };
  }

  async get(principal: Principal, sessionId: string): Promise<SessionResponse> {
    const record = await this.access.readable(principal, sessionId);
    return toSessionResponse(record, new Date());
  }

  /** Renames and/or re-times a live session: expiresAt = now + ttlSeconds. */
  async update(
    user: UserPrincipal,
    sessionId: string,
    body: UpdateSessionDto,
  ): Promise<SessionResponse> {
    const change = sessionChange(body, this.config.sessions);
    if (!isPublicId(sessionId)) throw sessionNotFound();
    const now = new Date();
    const expiresAt =
      change.ttlSeconds === undefined
        ? undefined
        : new Date(now.getTime() + change.ttlSeconds * SECOND_MS);
    const event: SessionEventInput =
      expiresAt === undefined
        ? { type: 'session.renamed', data: { name: change.name ?? null } }
        : {
            type: 'session.extended',
            data: {
              expiresAt: expiresAt.toISOString(),
              ttlSeconds: change.ttlSeconds ?? null,
              ...(change.name === undefined ? {} : { name: change.name }),
            },
          };
    // The update holds every condition (owned, active, not past expiresAt); only when it finds
    // nothing does a read tell 404 (not the caller's) from 410 (closed or expired).
    const record = await this.sessions.update(
      user.userId,
      sessionId,
      { name: change.name, expiresAt },
      now,
      event,
    );
    if (record !== null) return toSessionResponse(record, now);
    const current = await this.access.owned(user, sessionId);
    const status = effectiveStatus(current, now);
    throw sessionNotLive(status === 'active' ? 'expired' : status);
  }

  /** Closes the session, also an expired one; closing it again is not an error (nor a change). */
  async close(user: UserPrincipal, sessionId: string): Promise<void> {
    if (!isPublicId(sessionId)) throw sessionNotFound();
    const now = new Date();
    const record = await this.sessions.close(user.userId, sessionId, now, {
      type: 'session.closed',
      data: {},
    });
    if (record === null) throw sessionNotFound();
    // An already closed session comes back unchanged: count only the close made now.
    if (record.closedAt?.getTime() === now.getTime()) this.metrics.sessionClosed();
  }
}
