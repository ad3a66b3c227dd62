// Cost of the device check: requests per second of GET /v1/sessions/:id with a device token and
// with the owner's user token, and of the public GET /health/live, interleaved in one run.
// Target (issue 12): the device-authenticated read at ≥ 0.8× the user-authenticated one.
// Run: npm run bench:sessions   (BENCH_SECONDS, BENCH_CONNECTIONS to change the load)
//
// Measured on the project machine (Node 24.22, 2 cores, load ~2-3), 16 connections, 6 s per
// route, three runs: user 479-637 req/s, device 442-552 req/s, /health/live 2663-2951 req/s;
// device / user = 0.87-0.92.
//
// Both reads do the shared rate-limit round trip; the user read then loads the session once
// (ownership check); the device read loads it once in the token check (device active? session
// active?) and reuses that read for the answer, so the two should cost about the same.
import { measure, report, startBenchBackends, type Target } from './support/http-bench.js';

interface Json {
  [key: string]: unknown;
}

async function main(): Promise<void> {
  const { startTestApp } = await import('../support/test-app.js');
  const backends = await startBenchBackends();
  const app = await startTestApp({ backends, env: { RATE_LIMIT_MAX: '1000000' } });
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(`${app.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${String(res.status)} ${await res.text()}`);
    return (await res.json()) as Json;
  };
  try {
    const email = `bench-${String(Date.now())}@example.com`;
    const password = 'correct horse battery staple';
    await call('POST', '/v1/auth/register', { email, password });
    const login = await call('POST', '/v1/auth/login', { email, password });
    const userToken = String(login.accessToken);
    const session = await call('POST', '/v1/sessions', { name: 'bench' }, userToken);
    const sessionId = String(session.id);
    const pairing = await call('POST', `/v1/sessions/${sessionId}/pairings`, {}, userToken);
    const secret = new URL(String(pairing.pairingUrl)).hash.slice(1);
    const claim = await call('POST', '/v1/pairings/claim', { secret, deviceName: 'bench' });
    const deviceToken = String(claim.accessToken);

    const url = `${app.baseUrl}/v1/sessions/${sessionId}`;
    const targets: [string, Target][] = [
      ['GET /health/live (public)', { url: `${app.baseUrl}/health/live` }],
      ['GET /v1/sessions/:id (user token)', { url, token: userToken }],
      ['GET /v1/sessions/:id (device token)', { url, token: deviceToken }],
    ];
    const rates = await measure(targets.map(([, target]) => target));
    report(
      targets.map(([label]) => label),
      rates,
    );
    const ratio = (rates[2] ?? 0) / (rates[1] ?? 1);
    console.log(`device / user = ${ratio.toFixed(2)} (target ≥ 0.80)`);
  } finally {
    await app.close();
    await backends.stop();
  }
}

await main();
