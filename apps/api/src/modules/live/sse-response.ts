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
 * Takes the reply over from Fastify (`hijack`: no onSend hook, no serializer) and writes the
 * stream's head and `firstFrame` on the raw response. The headers the hooks set so far (helmet,
 * CORS) go out too; x-request-id is set here since onSend never runs. `onClose` runs once when
 * the connection goes away, whoever ends it.
 */
export function openSseResponse(
  request: FastifyRequest,
  reply: FastifyReply,
  firstFrame: string,
  onClose: () => void,
): StreamSink {
  reply.hijack();
  const raw = reply.raw;
  const headers: OutgoingHttpHeaders = {
    ...(reply.getHeaders() as OutgoingHttpHeaders),
    ...SSE_HEADERS,
    [REQUEST_ID_HEADER]: request.id,
  };
  delete headers['content-length'];
  raw.writeHead(200, headers);
  raw.write(firstFrame);
  raw.once('close', onClose);
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
