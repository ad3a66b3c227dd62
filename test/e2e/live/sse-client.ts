// A small Server-Sent Events reader for the live e2e specs, as a browser's fetch-based reader
// works: fetch with the Authorization header, the body read as a stream, frames parsed as they
// arrive (WHATWG "event stream interpretation": field lines, blank line dispatches, `:` comments).
//
//   const s = await openStream(baseUrl, sessionId, { token });  // throws unless 200
//   const ready = await s.next();                                 // { event: 'ready', id, data }
//   const e = await s.next();                                     // next frame, in order
//   s.close();
export interface SseFrame {
  event: string;
  data: string;
  id?: string;
  retry?: number;
  /** Date.now() when the frame's blank line arrived. */
  at: number;
}

export interface StreamOptions {
  token?: string;
  lastEventId?: string;
  /** `?after=` (a string, so bad values can be sent too). */
  after?: string;
  headers?: Record<string, string>;
}

export interface SseStream {
  response: Response;
  /** Every frame so far, in order (comments not included). */
  frames: SseFrame[];
  /** Every comment line so far (without the leading colon), with its arrival time. */
  comments: { text: string; at: number }[];
  /** The next frame not yet taken by next(); rejects after `timeoutMs` or when the stream ends. */
  next(timeoutMs?: number): Promise<SseFrame>;
  /** Resolves when the server ends the body (or the connection drops). */
  ended: Promise<void>;
  /** Aborts the request: the client goes away. */
  close(): void;
}

export function streamUrl(baseUrl: string, sessionId: string, after?: string): string {
  const query = after === undefined ? '' : `?after=${encodeURIComponent(after)}`;
  return `${baseUrl}/v1/sessions/${sessionId}/events${query}`;
}

/** The request alone: for answers that are not a stream (401, 404, 429 …). */
export function requestStream(
  baseUrl: string,
  sessionId: string,
  options: StreamOptions = {},
  signal?: AbortSignal,
): Promise<Response> {
  const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
  return fetch(streamUrl(baseUrl, sessionId, options.after), { headers, signal });
}

export async function openStream(
  baseUrl: string,
  sessionId: string,
  options: StreamOptions = {},
): Promise<SseStream> {
  const abort = new AbortController();
  const response = await requestStream(baseUrl, sessionId, options, abort.signal);
  if (response.status !== 200 || response.body === null) {
    const text = await response.text();
    throw new Error(`stream refused: ${String(response.status)} ${text}`);
  }
  const frames: SseFrame[] = [];
  const comments: { text: string; at: number }[] = [];
  let taken = 0;
  let done = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };

  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const ended = (async () => {
    let buffer = '';
    let frame: Partial<SseFrame> & { dataLines: string[] } = { dataLines: [] };
    try {
      for (;;) {
        const { value, done: finished } = await reader.read();
        if (finished) break;
        buffer += value;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).replace(/\r$/, '');
          buffer = buffer.slice(nl + 1);
          const at = Date.now();
          if (line === '') {
            if (frame.dataLines.length > 0 || frame.event !== undefined) {
              frames.push({
                event: frame.event ?? 'message',
                data: frame.dataLines.join('\n'),
                ...(frame.id === undefined ? {} : { id: frame.id }),
                ...(frame.retry === undefined ? {} : { retry: frame.retry }),
                at,
              });
              notify();
            }
            frame = { dataLines: [] };
            continue;
          }
          if (line.startsWith(':')) {
            comments.push({ text: line.slice(1).trim(), at });
            continue;
          }
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'data') frame.dataLines.push(val);
          else if (field === 'event') frame.event = val;
          else if (field === 'id') frame.id = val;
          else if (field === 'retry') frame.retry = Number(val);
        }
      }
    } catch {
      // Aborted or dropped: the stream is over either way.
    } finally {
      done = true;
      notify();
    }
  })();

  return {
    response,
    frames,
    comments,
    ended,
    close: () => {
      abort.abort();
    },
    next: async (timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const frame = frames[taken];
        if (frame !== undefined) {
          taken += 1;
          return frame;
        }
        if (done) throw new Error(`stream ended after ${String(frames.length)} frames`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no frame within ${String(timeoutMs)} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
  };
}

/** The JSON `data` of a frame. */
export const dataOf = <T = Record<string, unknown>>(frame: SseFrame): T =>
  JSON.parse(frame.data) as T;
