import { ApiError, toApiError, type Api } from './client';
import { SseParser, type SseMessage } from './sse-parser';
import type { ActivityEvent } from './types';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

export interface LiveHandlers {
  onEvent: (event: ActivityEvent) => void;
  /**
   * The stream ended for good: session_closed, session_expired, device_revoked,
   * device_rejected (the server's `end` reasons), or unauthenticated / not_found when the
   * server refuses to open it. Not called for `shutdown`: the reader reconnects.
   */
  onEnd: (reason: string) => void;
  onStatus?: (status: LiveStatus) => void;
}

const TERMINAL_REFUSALS: Readonly<Record<number, string>> = {
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  410: 'session_expired',
};
const MIN_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 10_000;
// The server sends a heartbeat every 15 s (SSE_HEARTBEAT_SECONDS): silence this long means a
// dead connection that TCP has not noticed yet.
const SILENCE_MS = 45_000;

/**
 * Follows GET /v1/sessions/:id/events with fetch (EventSource cannot send the Authorization
 * header): each event once, in seq order, across reconnects (Last-Event-ID, backoff 1 s → 10 s).
 * `after` resumes after that seq; without it the stream starts live. Returns the unsubscribe.
 */
export function subscribe(
  api: Api,
  sessionId: string,
  handlers: LiveHandlers,
  after?: number,
): () => void {
  let lastSeq = after;
  let stopped = false;
  let controller: AbortController | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let backoff = MIN_BACKOFF_MS;
  let serverRetry = MIN_BACKOFF_MS;
  const path = `/v1/sessions/${encodeURIComponent(sessionId)}/events`;

  const stop = (): void => {
    stopped = true;
    clearTimeout(retryTimer);
    controller?.abort();
    window.removeEventListener('online', reconnectNow);
  };
  const end = (reason: string): void => {
    if (stopped) return;
    stop();
    handlers.onEnd(reason);
  };
  const retryLater = (ms: number): void => {
    if (stopped) return;
    handlers.onStatus?.('reconnecting');
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => void connect(), ms);
  };
  const failed = (ms?: number): void => {
    // The server's `retry:` (3 s) is honoured, within the backoff's 10 s ceiling.
    const wait = ms ?? Math.min(MAX_BACKOFF_MS, Math.max(backoff, serverRetry));
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    // A little jitter, so the devices of a session do not all come back in the same tick.
    retryLater(wait + Math.floor(Math.random() * 250));
  };
  function reconnectNow(): void {
    if (stopped || controller !== null) return;
    clearTimeout(retryTimer);
    void connect();
  }

  const onMessage = (message: SseMessage): void => {
    switch (message.event) {
      case 'ready':
        backoff = MIN_BACKOFF_MS;
        if (lastSeq === undefined && message.id !== undefined && /^\d+$/.test(message.id)) {
          lastSeq = Number(message.id);
        }
        handlers.onStatus?.('live');
        return;
      case 'end': {
        const reason = parseReason(message.data);
        // 'shutdown': this replica is going away; another one answers the reconnect.
        if (reason === 'shutdown') throw new Reconnect(0);
        end(reason);
        return;
      }
      default: {
        const event = parseEvent(message.data);
        if (event === null) return;
        if (lastSeq !== undefined && event.seq <= lastSeq) return; // seen before a reconnect
        lastSeq = event.seq;
        handlers.onEvent(event);
      }
    }
  };

  async function connect(): Promise<void> {
    if (stopped) return;
    const current = new AbortController();
    controller = current;
    let silence: ReturnType<typeof setTimeout> | undefined;
    const watch = (): void => {
      clearTimeout(silence);
      silence = setTimeout(() => current.abort(), SILENCE_MS);
    };
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      const token = api.token();
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (lastSeq !== undefined) headers['last-event-id'] = String(lastSeq);
      watch();
      const res = await fetch(path, {
        headers,
        cache: 'no-store',
        credentials: 'omit',
        signal: current.signal,
      });
      if (!res.ok || res.body === null) {
        await refused(res);
        return;
      }
      const parser = new SseParser((ms) => {
        serverRetry = ms;
      });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done || stopped) break;
        watch();
        for (const message of parser.push(value)) onMessage(message);
      }
      void reader.cancel().catch(() => undefined);
      failed(); // the connection ended without an `end` frame
    } catch (error) {
      if (stopped) return;
      failed(error instanceof Reconnect ? error.ms : undefined);
    } finally {
      clearTimeout(silence);
      if (controller === current) controller = null;
      current.abort();
    }
  }

  async function refused(res: Response): Promise<void> {
    const error = await toApiError(res);
    if (error.status === 401) {
      // Likely an expired access token: any authenticated call lets the client refresh it.
      try {
        await api.get(`/v1/sessions/${encodeURIComponent(sessionId)}`);
        failed();
      } catch (caught) {
        // Only the server's own refusal ends the stream; a dropped connection, a rate limit or
        // a failed refresh is tried again later.
        const status = caught instanceof ApiError ? caught.status : 0;
        const terminal = status === 401 ? 'unauthenticated' : TERMINAL_REFUSALS[status];
        if (terminal !== undefined) end(terminal);
        else failed();
      }
      return;
    }
    const terminal = TERMINAL_REFUSALS[error.status];
    if (terminal !== undefined) {
      end(terminal);
      return;
    }
    if (error.status === 400) lastSeq = undefined; // a resume point the server refuses
    failed(error.retryAfterSeconds === undefined ? undefined : error.retryAfterSeconds * 1000);
  }

  handlers.onStatus?.('connecting');
  window.addEventListener('online', reconnectNow);
  void connect();
  return stop;
}

class Reconnect extends Error {
  constructor(readonly ms: number) {
    super('reconnect');
  }
}

function parseReason(data: string): string {
  try {
    const body = JSON.parse(data) as { reason?: unknown };
    return typeof body.reason === 'string' ? body.reason : 'unknown';
  } catch {
    return 'unknown';
  }
}

function parseEvent(data: string): ActivityEvent | null {
  try {
    const event = JSON.parse(data) as Partial<ActivityEvent>;
    if (typeof event.seq !== 'number' || typeof event.type !== 'string') return null;
    return {
      seq: event.seq,
      type: event.type,
      at: typeof event.at === 'string' ? event.at : new Date().toISOString(),
      data: typeof event.data === 'object' && event.data !== null ? event.data : {},
    };
  } catch {
    return null;
  }
}
