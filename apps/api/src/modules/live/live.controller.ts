import { Controller, Get, Headers, Param, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiGoneResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Auth, CurrentPrincipal, type Principal } from '@app/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SessionIdParam } from '../sessions/index.js';
import { EventsQuery } from './dto/events.query.js';
import { LiveService } from './live.service.js';

const STREAM_EXAMPLE =
  'retry: 3000\nid: 12\nevent: ready\ndata: {"sessionId":"mZ3q8V0xT2kR9bYcLw4n1A","after":12}\n\n' +
  'id: 13\nevent: device.claimed\ndata: {"seq":13,"type":"device.claimed","at":"2026-01-01T12:30:00.000Z","data":{"deviceId":"q1W2e3R4t5Y6u7I8o9P0aS","name":"Phone"}}\n\n' +
  ': heartbeat\n\n' +
  'event: end\ndata: {"reason":"session_closed"}\n\n';

@ApiTags('sessions')
@Controller('v1/sessions/:sessionId/events')
export class LiveController {
  constructor(private readonly live: LiveService) {}

  @Get()
  @Auth('user', 'device')
  @SessionIdParam()
  @ApiOperation({
    summary: 'The session’s events as they happen (Server-Sent Events)',
    description:
      'For the owner or an active device of the session; `Authorization` header only. The ' +
      'first frame is `event: ready` (its `id` is the starting seq), then one frame per event ' +
      'in seq order, no gaps, no duplicates (`id` = seq, `event` = type, `data` = one item of ' +
      'GET …/activity), a `: heartbeat` comment every SSE_HEARTBEAT_SECONDS, and a last ' +
      '`event: end` frame with `{"reason"}` when the server ends the stream: session_closed, ' +
      'session_expired, device_revoked, device_rejected (do not reconnect) or shutdown ' +
      '(reconnect with Last-Event-ID). Resume with `Last-Event-ID` or `?after=`.',
  })
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'The last seq received: the stream resumes right after it.',
    example: '12',
  })
  @ApiOkResponse({
    description: 'The event stream (text/event-stream), open until the session ends.',
    content: { 'text/event-stream': { schema: { type: 'string' }, example: STREAM_EXAMPLE } },
  })
  @ApiBadRequestResponse({
    description: 'Bad Last-Event-ID or after, or both given and different (VALIDATION_FAILED).',
  })
  @ApiUnauthorizedResponse({
    description: 'Missing, bad or expired token, or a device no longer active (UNAUTHENTICATED).',
  })
  @ApiGoneResponse({ description: 'The session is closed or expired (SESSION_EXPIRED).' })
  @ApiTooManyRequestsResponse({
    description:
      'The per-session or per-process stream cap is reached (TOO_MANY_STREAMS), or rate ' +
      'limited (RATE_LIMITED); Retry-After says when to retry.',
  })
  @ApiServiceUnavailableResponse({
    description: 'The server is shutting down (SERVICE_UNAVAILABLE): reconnect.',
  })
  async stream(
    @CurrentPrincipal() principal: Principal,
    @Param('sessionId') sessionId: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query() query: EventsQuery,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.live.open(principal, sessionId, lastEventId, query.after, request, reply);
  }
}
