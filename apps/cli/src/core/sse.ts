// The session's live events (docs/api.md "Live updates"): Server-Sent Events read with fetch
// (the token goes in the Authorization header), reconnecting with Last-Event-ID so nothing is
// missed or repeated, until the server ends the stream or the caller unsubscribes.
import type { Client } from './client.ts';
import { CliError, EXIT } from './errors.ts';
import { version } from './version.ts';

export interface SessionEvent {
  seq: number;
  type: string;
  at: string;
  data: Record<string, unknown>;
}

export interface SseHandlers {
  onEvent(e: SessionEvent): void;
  /**
   * Called once, when the stream will not come back: the server's reason (`session_closed`,
   * `session_expired`, `device_revoked`, `device_rejected`) or, when a (re)connect is refused,
   * `session_closed`/`session_expired` for a 410 (from the session's status), `unauthenticated`
   * (401), `forbidden` (403), `not_found` (404), `refused` (another 4xx).
   */
  onEnd(reason: string): void;
  /** Optional: each failed connect that will be retried (network, 429, 5xx). */
  onRetry?(error: Error, delayMs: number): void;
}

export interface SseFrame {
  event: string;
  data: string;
  id: string | undefined;
}

/** The SSE wire format, incrementally: feed text chunks, get one callback per dispatched frame. */
export function createSseParser(onFrame: (frame: SseFrame) => void): {
  feed(chunk: string): void;
} {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  let sawCr = false;
  const line = (text: string): void => {
    if (text === '') {
      if (data.length > 0 || event !== '') {
        onFrame({ event: event || 'message', data: data.join('\n'), id });
      }
      event = '';
      data = [];
      id = undefined;
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id' && !value.includes('\0')) id = value;
    // `retry` and unknown fields: ignored (the client has its own backoff).
  };
  return {
    feed(chunk: string): void {
      for (const ch of chunk) {
        if (ch === '\n') {
          if (sawCr) {
            sawCr = false;
            continue; // the \n of a \r\n
          }
          line(buffer);
          buffer = '';
        } else if (ch === '\r') {
          sawCr = true;
          line(buffer);
          buffer = '';
        } else {
          sawCr = false;
          buffer += ch;
        }
      }
    },
  };
}

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 10_000;
/** Heartbeats come every 15 s: three missed ones mean a dead connection. */
const IDLE_MS = 45_000;

const isEvent = (v: unknown): v is SessionEvent => {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.seq === 'number' && typeof r.type === 'string';
};

class Refused extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

class Retryable extends Error {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs = 0) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Follows `sessionId`'s events after `after` (default: from now on). Returns the unsubscribe
 * function (no onEnd after it).
 */
export function subscribe(
  client: Client,
  sessionId: string,
  handlers: SseHandlers,
  after?: number,
): () => void {
  const stop = new AbortController();
  let lastSeq = after;
  let delay = FIRST_DELAY_MS;
  let refreshed = false;

  const endReasonFor410 = async (): Promise<string> => {
    try {
      const s = await client.request<{ status?: string }>(
        'GET',
        `/v1/sessions/${encodeURIComponent(sessionId)}`,
        undefined,
        { signal: stop.signal },
      );
      return s.status === 'expired' ? 'session_expired' : 'session_closed';
    } catch {
      return 'session_closed';
    }
  };

  const connectOnce = async (): Promise<string | null> => {
    const conn = new AbortController();
    const onStop = (): void => conn.abort();
    stop.signal.addEventListener('abort', onStop);
    let idle: NodeJS.Timeout | undefined;
    const touch = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => conn.abort(new Retryable('no heartbeat')), IDLE_MS);
    };
    try {
      const headers: Record<string, string> = {
        accept: 'text/event-stream',
        'user-agent': `sharexpress-cli/${version()}`,
      };
      const token = client.token();
      if (token) headers.authorization = `Bearer ${token}`;
      if (lastSeq !== undefined) headers['last-event-id'] = String(lastSeq);
      touch();
      let res: Response;
      try {
        res = await fetch(`${client.baseUrl}/v1/sessions/${encodeURIComponent(sessionId)}/events`, {
          headers,
          signal: conn.signal,
        });
      } catch (err) {
        if (stop.signal.aborted) return null;
        throw new Retryable(err instanceof Error ? err.message : String(err));
      }
      if (!res.ok) {
        await res.body?.cancel();
        const retryAfter = Number(res.headers.get('retry-after') ?? NaN);
        if (res.status === 401 && !refreshed) {
          // Ask something cheap through the client: a user client refreshes its tokens.
          refreshed = true;
          try {
            await client.request('GET', `/v1/sessions/${encodeURIComponent(sessionId)}`);
          } catch (err) {
            if (err instanceof CliError && err.exitCode === EXIT.AUTH)
              throw new Refused('unauthenticated');
          }
          throw new Retryable('token refreshed', 1);
        }
        if (res.status === 401) throw new Refused('unauthenticated');
        if (res.status === 403) throw new Refused('forbidden');
        if (res.status === 404) throw new Refused('not_found');
        if (res.status === 410) throw new Refused(await endReasonFor410());
        if (res.status === 429 || res.status >= 500) {
          throw new Retryable(
            `HTTP ${res.status}`,
            Number.isFinite(retryAfter) ? retryAfter * 1000 : 0,
          );
        }
        throw new Refused('refused');
      }
      refreshed = false;
      let endReason: string | null = null;
      const parser = createSseParser((frame) => {
        if (frame.event === 'ready') {
          const seq = Number(frame.id);
          if (Number.isInteger(seq)) lastSeq = seq;
          delay = FIRST_DELAY_MS;
          return;
        }
        if (frame.event === 'end') {
          try {
            const body = JSON.parse(frame.data) as { reason?: unknown };
            endReason = typeof body.reason === 'string' ? body.reason : 'end';
          } catch {
            endReason = 'end';
          }
          return;
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(frame.data);
        } catch {
          return;
        }
        if (!isEvent(parsed)) return;
        if (lastSeq !== undefined && parsed.seq <= lastSeq) return;
        lastSeq = parsed.seq;
        handlers.onEvent({
          seq: parsed.seq,
          type: parsed.type,
          at: typeof parsed.at === 'string' ? parsed.at : '',
          data: typeof parsed.data === 'object' && parsed.data !== null ? parsed.data : {},
        });
      });
      const decoder = new TextDecoder();
      if (!res.body) throw new Retryable('empty stream');
      const body: AsyncIterable<Uint8Array> = res.body;
      try {
        for await (const chunk of body) {
          touch();
          parser.feed(decoder.decode(chunk, { stream: true }));
          if (endReason !== null) break;
        }
      } catch (err) {
        if (stop.signal.aborted) return null;
        throw new Retryable(err instanceof Error ? err.message : String(err));
      }
      if (endReason === 'shutdown') throw new Retryable('server shutting down', 1);
      if (endReason !== null) return endReason;
      throw new Retryable('stream dropped');
    } finally {
      clearTimeout(idle);
      stop.signal.removeEventListener('abort', onStop);
      conn.abort();
    }
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      stop.signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve();
      });
    });

  const loop = async (): Promise<void> => {
    while (!stop.signal.aborted) {
      try {
        const reason = await connectOnce();
        if (reason === null || stop.signal.aborted) return;
        handlers.onEnd(reason);
        return;
      } catch (err) {
        if (stop.signal.aborted) return;
        if (err instanceof Refused) {
          handlers.onEnd(err.reason);
          return;
        }
        const retry = err instanceof Retryable ? err : new Retryable(String(err));
        // 1 ms: reconnect at once (a refreshed token, a replica shutting down).
        const wait = retry.retryAfterMs === 1 ? 1 : Math.max(retry.retryAfterMs, delay);
        handlers.onRetry?.(retry, wait);
        await sleep(wait);
        if (retry.retryAfterMs !== 1) delay = Math.min(MAX_DELAY_MS, delay * 2);
      }
    }
  };
  void loop();
  return () => stop.abort();
}
