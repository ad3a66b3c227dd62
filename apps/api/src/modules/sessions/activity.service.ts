import { Injectable } from '@nestjs/common';
import { AppError, type Principal } from '@app/common';
import { EventRepository } from '@app/database';
import { toActivityEventResponse, type ActivityPageResponse } from './dto/activity.response.js';
import type { ListActivityQuery } from './dto/list-activity.query.js';
import { PAGE_LIMIT_DEFAULT } from './dto/query-fields.js';
import { SessionAccessService } from './session-access.service.js';

/** A session's recorded events, oldest first, for its owner or a device of it. */
@Injectable()
export class ActivityService {
  constructor(
    private readonly access: SessionAccessService,
    private readonly events: EventRepository,
  ) {}

  async list(
    principal: Principal,
    sessionId: string,
    query: ListActivityQuery,
  ): Promise<ActivityPageResponse> {
    const after = afterOf(query);
    const session = await this.access.readable(principal, sessionId);
    const limit = query.limit ?? PAGE_LIMIT_DEFAULT;
    // One more than asked tells whether another page follows.
    const events = await this.events.list(session.id, after, limit + 1);
    const items = events.slice(0, limit).map(toActivityEventResponse);
    const last = items.at(-1);
    return {
      items,
      nextCursor: events.length > limit && last !== undefined ? String(last.seq) : null,
    };
  }
}

// `cursor` is an alias of `after` (what a generic list client sends back); both at once must agree.
function afterOf(query: ListActivityQuery): number {
  const { after, cursor } = query;
  if (after !== undefined && cursor !== undefined && after !== cursor) {
    throw new AppError('VALIDATION_FAILED', 'The request is invalid.', {
      errors: [{ field: 'cursor', message: 'cursor is an alias of after; give one of them' }],
    });
  }
  return after ?? cursor ?? 0;
}
