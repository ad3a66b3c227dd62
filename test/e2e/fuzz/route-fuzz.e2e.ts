// Route fuzzer: walks every operation of the OpenAPI document of the running API and sends it
// hostile bodies, headers, ids and query strings, anonymously and with a valid token, plus
// raw-socket requests for the HTTP layer. Whatever comes in, the answer is never a 5xx, every
// error is problem+json carrying its request id (body and header), and nothing hangs.
// A fixed seed makes every run the same run; FUZZ_SEED and FUZZ_CASES explore further.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import {
  bodyCase,
  bodySchemaOf,
  bodyVariants,
  generateCase,
  operationsOf,
  rawCases,
  type FuzzCase,
  type OpenApiDoc,
} from './generators.js';
import { Prng } from './prng.js';
import { rawRequest } from './raw-http.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_202);
// Random cases per operation, on top of the systematic pass (every body variant once for
// each operation that takes a body).
const CASES_PER_OPERATION = Number(process.env.FUZZ_CASES ?? 40);
const REQUEST_TIMEOUT_MS = 5000;
// FUZZ_LOG=1 lists every case with its status in the test output.
const LOG_CASES = process.env.FUZZ_LOG === '1';

// Known 5xx answers that another change fixes; the fuzzer keeps sending these cases and
// reports when one stops failing, so the entry can go.
// Known 5xx answers a pending fix will remove, each naming its issue; empty when none is known.
const EXPECTED_FAILURES: readonly { route: RegExp; label: RegExp; why: string }[] = [];

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

// What every answer must satisfy; the problems found, empty when it does.
function problemsWith(answer: Answer, method: string): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`answered ${String(answer.status)}`);
  const requestId = answer.headers['x-request-id'];
  if (requestId === undefined || requestId === '') problems.push('no x-request-id header');
  if (answer.status < 400) return problems;
  const type = answer.headers['content-type'] ?? '';
  if (!type.startsWith('application/problem+json')) {
    problems.push(`error with content-type "${type}"`);
    return problems;
  }
  if (method === 'HEAD') return problems; // no body to read
  try {
    const body = JSON.parse(answer.body) as {
      status?: unknown;
      code?: unknown;
      requestId?: unknown;
    };
    if (body.status !== answer.status) problems.push(`body.status ${String(body.status)}`);
    if (typeof body.code !== 'string') problems.push('no code');
    if (body.requestId !== requestId) problems.push('body.requestId differs from the header');
  } catch {
    problems.push(`body is not JSON: ${answer.body.slice(0, 80)}`);
  }
  if (answer.body.length > 8192) problems.push(`error body of ${String(answer.body.length)} bytes`);
  return problems;
}

// Headers fetch refuses to send (bytes it considers invalid) go over a raw socket instead.
function fetchable(headers: Record<string, string>): boolean {
  try {
    new Headers(headers);
    return true;
  } catch {
    return false;
  }
}

function rawRequestText(c: FuzzCase): string {
  const body = c.body === undefined ? '' : c.body;
  const lines = [`${c.method} ${c.url} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [name, value] of Object.entries(c.headers)) lines.push(`${name}: ${value}`);
  if (c.body !== undefined) lines.push(`Content-Length: ${String(Buffer.byteLength(body))}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

describe('route fuzzer: hostile input never yields a 5xx, a non-problem error or a hang', () => {
  let t: TestApp;
  let port: number;
  let doc: OpenApiDoc;
  let token: string;

  before(async () => {
    t = await startTestApp({
      env: { RATE_LIMIT_MAX: '1000000', RATE_LIMIT_AUTH_MAX: '1000000' },
    });
    port = Number(new URL(t.baseUrl).port);
    doc = (await (await fetch(`${t.baseUrl}/docs-json`)).json()) as OpenApiDoc;
    // A real account, through the API, for the cases sent with a valid token.
    const credentials = {
      email: `fuzzer-${String(Date.now())}@example.com`,
      password: 'correct horse battery staple',
    };
    const json = { 'content-type': 'application/json' };
    const registered = await fetch(`${t.baseUrl}/v1/auth/register`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(credentials),
    });
    assert.equal(registered.status, 201, await registered.text());
    const login = await fetch(`${t.baseUrl}/v1/auth/login`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(credentials),
    });
    assert.equal(login.status, 200);
    token = ((await login.json()) as { accessToken: string }).accessToken;
  });
  after(async () => {
    await t.close();
  });

  async function send(c: FuzzCase): Promise<Answer> {
    if (!fetchable(c.headers)) {
      return rawRequest(port, rawRequestText(c), { timeoutMs: REQUEST_TIMEOUT_MS });
    }
    const res = await fetch(`${t.baseUrl}${c.url}`, {
      method: c.method,
      headers: c.headers,
      body: c.body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const body = await res.text();
    return { status: res.status, headers: Object.fromEntries(res.headers), body };
  }

  it('walks every operation of the OpenAPI document', async (tc) => {
    const rng = new Prng(SEED);
    const operations = operationsOf(doc);
    assert.ok(operations.length >= 8, `only ${String(operations.length)} operations`);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    const knownSeen = new Set<number>();
    let sent = 0;
    const started = performance.now();
    for (const route of operations) {
      const name = `${route.method} ${route.path}`;
      const schema = bodySchemaOf(route, doc);
      const variants = bodyVariants(schema, doc);
      const systematic =
        route.op.requestBody === undefined
          ? []
          : variants.map((v, i) => bodyCase(route, v, { token: i % 2 === 1 ? token : undefined }));
      const random = Array.from({ length: CASES_PER_OPERATION }, (_, i) =>
        // Every other case carries a valid token, so protected routes get past the guard.
        generateCase(rng, route, variants, { token: i % 2 === 1 ? token : undefined }),
      );
      for (const c of [...systematic, ...random]) {
        let answer: Answer;
        try {
          answer = await send(c);
        } catch (err) {
          failures.push(`${name} [${c.label}]: no answer (${(err as Error).message})`);
          continue;
        }
        sent += 1;
        if (LOG_CASES)
          tc.diagnostic(`${String(answer.status)} ${c.method} ${c.url.slice(0, 80)} [${c.label}]`);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const problems = problemsWith(answer, c.method);
        if (problems.length === 0) continue;
        const known = EXPECTED_FAILURES.findIndex(
          (k) => k.route.test(name) && k.label.test(c.label) && answer.status >= 500,
        );
        if (known >= 0) {
          knownSeen.add(known);
          continue;
        }
        failures.push(`${name} [${c.label}] → ${String(answer.status)}: ${problems.join('; ')}`);
      }
    }
    const counts = [...statuses.entries()].sort(([a], [b]) => a - b);
    tc.diagnostic(
      `seed ${String(SEED)}: ${String(operations.length)} operations covered ` +
        `(${operations.map((o) => `${o.method} ${o.path}`).join(', ')})`,
    );
    tc.diagnostic(
      `${String(sent)} cases sent in ${String(Math.round(performance.now() - started))} ms; ` +
        `statuses: ${counts.map(([s, n]) => `${String(s)}×${String(n)}`).join(', ')}`,
    );
    EXPECTED_FAILURES.forEach((k, index) => {
      if (!knownSeen.has(index)) {
        tc.diagnostic(
          `expected failure no longer seen (remove it): ${k.route.source} ${k.label.source}`,
        );
      }
    });
    assert.deepEqual(failures.slice(0, 25), [], `${String(failures.length)} failing cases`);
  });

  it('answers every raw HTTP-layer oddity with a problem or a success, never silence', async (tc) => {
    const rng = new Prng(SEED);
    const paths = operationsOf(doc).map((o) => o.path.replace(/\{[^}]+\}/g, 'x'));
    const cases = rawCases(rng, paths);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    for (const { label, request } of cases) {
      let answer: Answer;
      try {
        answer = await rawRequest(port, Buffer.from(request, 'latin1'), {
          timeoutMs: REQUEST_TIMEOUT_MS,
        });
      } catch (err) {
        failures.push(`${label}: ${(err as Error).message.slice(0, 200)}`);
        continue;
      }
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const method = request.slice(0, request.indexOf(' '));
      const problems = problemsWith(answer, method);
      if (problems.length > 0) {
        failures.push(`${label} → ${String(answer.status)}: ${problems.join('; ')}`);
      }
    }
    const counts = [...statuses.entries()].sort(([a], [b]) => a - b);
    tc.diagnostic(
      `${String(cases.length)} raw requests; statuses: ` +
        counts.map(([s, n]) => `${String(s)}×${String(n)}`).join(', '),
    );
    assert.deepEqual(failures, []);
    // The server still serves normally afterwards.
    assert.equal((await fetch(`${t.baseUrl}/health/live`)).status, 200);
  });
});
