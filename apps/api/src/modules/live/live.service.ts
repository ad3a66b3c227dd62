import { Injectable } from '@nestjs/common';
import type { Principal } from '@app/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SessionAccessService } from '../sessions/index.js';
import { LiveHub } from './live-hub.js';
import { startCursor } from './live-cursor.js';
import { connectionGone, openSseResponse } from './sse-response.js';
import { readyFrame } from './sse-frames.js';

/** Opens a session's event stream for its owner or one of its active devices. */
@Injectable()
export class LiveService {
  constructor(
    private readonly access: SessionAccessService,
    private readonly hub: LiveHub,
  ) {}

  /**
   * Everything that can refuse the stream happens before its first byte, so a refusal is a
   * plain problem+json answer: 404 not the caller's session, 410 not active, 400 a bad cursor,
   * 429 a cap reached.
   */
  async open(
    principal: Principal,
    sessionId: string,
    lastEventId: string | undefined,
    after: number | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    const session = await this.access.readable(principal, sessionId);
    this.access.assertLive(session, new Date());
    const cursor = startCursor(lastEventId, after, session.seq);
    // From here on nothing awaits: the cap check, the stream's head and the subscription
    // happen in one go, so the caps hold exactly and the ready frame comes first.
    this.hub.assertRoom(session.id);
    // HEAD (Fastify answers it for every GET route) gets the stream's head and nothing to hold
    // open: a response without a body would otherwise keep its connection busy forever.
    if (request.method === 'HEAD') {
      openSseResponse(request, reply, '', () => undefined)?.end();
      return;
    }
    let unsubscribe = (): void => undefined;
    // A client gone during the access check (its 'close' already fired) gets no stream.
    const sink = openSseResponse(request, reply, readyFrame(session.id, cursor), () => {
      unsubscribe();
    });
    if (sink === null) return;
    unsubscribe = this.hub.subscribe({
      sessionId: session.id,
      deviceId: principal.kind === 'device' ? principal.deviceId : null,
      after: cursor,
      sessionSeq: session.seq,
      expiresAt: session.expiresAt,
      sink,
    });
    // Belt and braces: a connection that went away while subscribing frees its place at once.
    if (connectionGone(request, reply)) unsubscribe();
  }
}
