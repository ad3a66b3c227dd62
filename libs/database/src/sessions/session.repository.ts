import type { Permission } from '@app/common';
import type { SessionEventInput, SessionLimits, SessionRecord } from './session.types.js';

export interface NewSession {
  /** Random public id (newPublicId()), the document's `_id`. */
  id: string;
  ownerId: string;
  name: string;
  guestPermissions: Permission[];
  requireApproval: boolean;
  limits: SessionLimits;
  createdAt: Date;
  expiresAt: Date;
}

export interface SessionChange {
  name?: string;
  expiresAt?: Date;
}

export interface SessionPage {
  items: SessionRecord[];
  /** Opaque; pass back as `cursor` for the next page. Null on the last page. */
  nextCursor: string | null;
}

/**
 * Sessions (with their embedded devices). Every state change is one atomic update of the
 * session document that also allocates the next event `seq` and records the event, so a
 * session's events are gapless and in order (see EventRepository).
 */
export abstract class SessionRepository {
  /** Inserts the session with `seq` 1 and records `event` (session.created) as event 1. */
  abstract create(session: NewSession, event: SessionEventInput): Promise<SessionRecord>;

  /** Any session by id; null when unknown. Ownership and expiry are the caller's to judge. */
  abstract findById(id: string): Promise<SessionRecord | null>;

  /**
   * The owner's sessions, newest first (createdAt, then id, descending). `cursor` comes from a
   * previous page; a cursor that does not decode throws AppError VALIDATION_FAILED (field cursor).
   */
  abstract listByOwner(ownerId: string, limit: number, cursor: string | null): Promise<SessionPage>;

  /**
   * Renames and/or re-times an owned session that is `active` and not past `expiresAt` at `now`,
   * recording `event`. Null when there is no such session (unknown, not owned, closed, expired).
   */
  abstract update(
    ownerId: string,
    id: string,
    change: SessionChange,
    now: Date,
    event: SessionEventInput,
  ): Promise<SessionRecord | null>;

  /**
   * Closes an owned session that is not closed yet — live, or expired (stored `expired`, or
   * `active` past `expiresAt`): status `closed`, `closedAt` now, and records `event`. A session
   * already closed comes back unchanged, with no new event (the caller tells the two apart by
   * `closedAt`). Null when unknown or not owned.
   */
  abstract close(
    ownerId: string,
    id: string,
    now: Date,
    event: SessionEventInput,
  ): Promise<SessionRecord | null>;

  /**
   * Records an event on an owned session that is `active` and not past `expiresAt` at `now`
   * (e.g. pairing.created). Null when there is no such session.
   */
  abstract recordEvent(
    ownerId: string,
    id: string,
    now: Date,
    event: SessionEventInput,
  ): Promise<SessionRecord | null>;
}
