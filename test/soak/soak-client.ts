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

/** What `send` needs of an answer: its status, and its body as text for the record. */
interface Answer {
  status: number;
  text: string;
}

export class SoakClient {
  /** Answers the scenario did not expect (first few hundred kept). */
  readonly unexpected: UnexpectedAnswer[] = [];

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
    const { status, text } = await this.send(
      `${method} ${route}`,
      options.expect ?? [200],
      async (signal) => {
        const res = await fetch(`${baseUrl}${path}`, {
          method,
          headers,
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal,
        });
        return { status: res.status, text: await res.text() };
      },
    );
    return { status, body: (text === '' ? undefined : JSON.parse(text)) as T };
  }

  /** A PUT to storage with exactly `headers`. */
  async put(
    route: string,
    target: { url: string; headers: Record<string, string> },
    bytes: Uint8Array,
  ): Promise<void> {
    await this.send(route, [200], async (signal) => {
      const res = await fetch(target.url, {
        method: 'PUT',
        headers: target.headers,
        body: bytes,
        signal,
      });
      return { status: res.status, text: await res.text() };
    });
  }

  /** A GET of a presigned URL: the bytes. */
  async get(route: string, url: string): Promise<Buffer> {
    const { bytes } = await this.send(route, [200], async (signal) => {
      const res = await fetch(url, { signal });
      const body = Buffer.from(await res.arrayBuffer());
      return { status: res.status, text: res.status === 200 ? '' : body.toString(), bytes: body };
    });
    return bytes;
  }

  /**
   * Times `doFetch` until it has read the body, records it under `route`, and throws (and keeps)
   * an UnexpectedAnswer unless its status is one of `expected`. No answer at all (refused,
   * reset, timed out) is status 0, which no scenario expects.
   */
  private async send<A extends Answer>(
    route: string,
    expected: number[],
    doFetch: (signal: AbortSignal) => Promise<A>,
  ): Promise<A> {
    const started = performance.now();
    let answer: A;
    try {
      answer = await doFetch(AbortSignal.timeout(TIMEOUT_MS));
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      this.recorder.record(route, 0, performance.now() - started, detail);
      throw this.unexpectedAnswer(route, 0, expected, detail);
    }
    this.recorder.record(route, answer.status, performance.now() - started, answer.text);
    if (!expected.includes(answer.status)) {
      throw this.unexpectedAnswer(route, answer.status, expected, answer.text);
    }
    return answer;
  }

  private unexpectedAnswer(
    route: string,
    status: number,
    expected: number[],
    text: string,
  ): UnexpectedAnswer {
    const answer = new UnexpectedAnswer(route, status, expected, text);
    if (this.unexpected.length < 200) this.unexpected.push(answer);
    return answer;
  }
}
