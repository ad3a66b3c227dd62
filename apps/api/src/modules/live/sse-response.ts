import { REQUEST_ID_HEADER } from '@app/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OutgoingHttpHeaders } from 'node:http';
import type { StreamSink } from './live-hub.js';

/** A client that lets this much pile up unread is cut off (it reconnects with Last-Event-ID). */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  'x-accel-buffering': 'no',
  'x-content-type-options': 'nosniff',
};

/**
 * Whether the client already went away (it may do so while the access check awaits, before any
 * 'close' listener is there to hear it).
 */
export function connectionGone(request: FastifyRequest, reply: FastifyReply): boolean {
  const socket = request.raw.socket as { destroyed?: boolean } | null;
  return (
    reply.raw.destroyed ||
    reply.raw.writableEnded ||
    request.raw.destroyed ||
    socket === null ||
    socket.destroyed === true
  );
}

/**
 * Takes the reply over from Fastify (`hijack`: no onSend hook, no serializer) and writes the
 * stream's head and `firstFrame` on the raw response. The headers the hooks set so far (helmet,
 * CORS) go out too; x-request-id is set here since onSend never runs. `onClose` runs once when
 * the connection goes away, whoever ends it. Null when the client is gone already: nothing is
 * written, and there is no stream to hold.
 */
export function openSseResponse(
  request: FastifyRequest,
  reply: FastifyReply,
  firstFrame: string,
  onClose: () => void,
): StreamSink | null {
  reply.hijack();
  const raw = reply.raw;
  if (connectionGone(request, reply)) {
    raw.destroy();
    return null;
  }
  raw.once('close', onClose);
  const headers: OutgoingHttpHeaders = {
    ...(reply.getHeaders() as OutgoingHttpHeaders),
    ...SSE_HEADERS,
    [REQUEST_ID_HEADER]: request.id,
  };
  delete headers['content-length'];
  raw.writeHead(200, headers);
  raw.write(firstFrame);
  return {
    write(chunk: string): void {
      if (raw.destroyed || raw.writableEnded) return;
      // A reader this far behind is not reading: drop it instead of buffering without bound.
      if (raw.writableLength > MAX_BUFFERED_BYTES) {
        raw.destroy();
        return;
      }
      raw.write(chunk);
    },
    end(lastFrame?: string): void {
      if (raw.destroyed || raw.writableEnded) return;
      if (lastFrame === undefined) raw.end();
      else raw.end(lastFrame);
    },
  };
}
