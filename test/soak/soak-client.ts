// The soak's HTTP client: the API with a bearer token, storage on presigned URLs with exactly the
// headers the API handed out, each request recorded under its route. An answer other than the
// one the scenario expects is an error the soak reports (and the step that got it stops).
import type { Recorder } from './recorder.js';

export class UnexpectedAnswer extends Error {
  constructor(
    readonly route: string,
    readonly status: number,
    readonly expected: number[],
    readonly body: string,
  ) {
    super(`${route}: ${String(status)} (expected ${expected.join('|')}): ${body.slice(0, 300)}`);
  }
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Statuses the scenario accepts (default [200]). */
  expect?: number[];
}

const TIMEOUT_MS = 60_000;

export class SoakClient {
  /** Answers the scenario did not expect (first few hundred kept). */
  readonly unexpected: UnexpectedAnswer[] = [];
  unexpectedCount = 0;

  constructor(private readonly recorder: Recorder) {}

  /** One API request; the parsed JSON body (undefined when empty) and its status. */
  async api<T>(
    route: string,
    baseUrl: string,
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const started = performance.now();
    let status = 0;
    let text: string;
    try {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      text = err instanceof Error ? err.message : String(err);
    }
    this.recorder.record(`${method} ${route}`, status, performance.now() - started, text);
    this.check(`${method} ${route}`, status, options.expect ?? [200], text);
    return { status, body: (text === '' || status === 0 ? undefined : JSON.parse(text)) as T };
  }

  /** A PUT to storage with exactly `headers`. */
  async put(
    route: string,
    target: { url: string; headers: Record<string, string> },
    bytes: Uint8Array,
  ): Promise<void> {
    const started = performance.now();
    let status = 0;
    let text: string;
    try {
      const res = await fetch(target.url, {
        method: 'PUT',
        headers: target.headers,
        body: bytes,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      text = err instanceof Error ? err.message : String(err);
    }
    this.recorder.record(route, status, performance.now() - started, text);
    this.check(route, status, [200], text);
  }

  /** A GET of a presigned URL: the bytes. */
  async get(route: string, url: string): Promise<Buffer> {
    const started = performance.now();
    let status = 0;
    let bytes = Buffer.alloc(0);
    let text = '';
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
      status = res.status;
      bytes = Buffer.from(await res.arrayBuffer());
      if (status !== 200) text = bytes.toString();
    } catch (err) {
      text = err instanceof Error ? err.message : String(err);
    }
    this.recorder.record(route, status, performance.now() - started, text);
    this.check(route, status, [200], text);
    return bytes;
  }

  private check(route: string, status: number, expected: number[], text: string): void {
    if (expected.includes(status)) return;
    const answer = new UnexpectedAnswer(route, status, expected, text);
    this.unexpectedCount++;
    if (this.unexpected.length < 200) this.unexpected.push(answer);
    throw answer;
  }
}
