// Cost of authentication: requests per second of the user-authenticated GET /v1/auth/me against
// the public GET /health/live of the same API process, in one run, as a ratio.
// Run: npm run bench:auth   (BENCH_SECONDS, BENCH_CONNECTIONS to change the load)
//
// Layout: the API runs on the main thread; the devstack's MongoDB and the load generator each
// run on their own worker thread, so neither shares the API's event loop. Each route gets the
// same fixed number of keep-alive connections for the same fixed duration.
//
// Measured on the project machine (Node 20.20, 2 cores, shared with other builds: load ~19),
// 16 connections, 6 s per route, no verification cache (four runs):
//   /v1/auth/me ≈ 0.12-0.20 of /health/live; token check alone ≈ 0.67-0.78;
//   token + shared rate limit ≈ 0.23-0.31.
// The RS256 check is cheap (~0.7 of the public route, about 2% of profile samples); the two
// MongoDB round trips of /me (rate-limit counter, profile read) are what cost, so a verification
// cache would not move the /me figure and is not used (see docs/auth.md).
import { Controller, Get, Module } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { Auth, CurrentUser, type UserPrincipal } from '@app/common';
import { measure, report, startBenchBackends, type Target } from './support/http-bench.js';

// Breakdown probes: the same token check as /v1/auth/me without its database read, with and
// without the shared (MongoDB) rate limit.
@Controller('bench')
class BenchProbeController {
  @Get('token')
  @Auth('user')
  @SkipThrottle()
  token(@CurrentUser() user: UserPrincipal): { id: string } {
    return { id: user.userId };
  }

  @Get('token-limited')
  @Auth('user')
  tokenLimited(@CurrentUser() user: UserPrincipal): { id: string } {
    return { id: user.userId };
  }
}

@Module({ controllers: [BenchProbeController] })
class BenchProbeModule {}

async function main(): Promise<void> {
  const { startTestApp } = await import('../support/test-app.js');
  const backends = await startBenchBackends();
  const app = await startTestApp({
    backends,
    env: { RATE_LIMIT_MAX: '1000000' },
    extraModules: [BenchProbeModule],
  });
  try {
    const email = `bench-${String(Date.now())}@example.com`;
    const password = 'correct horse battery staple';
    const post = (path: string, body: unknown) =>
      fetch(`${app.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await post('/v1/auth/register', { email, password });
    const { accessToken } = (await (await post('/v1/auth/login', { email, password })).json()) as {
      accessToken: string;
    };

    const targets: [string, Target][] = [
      ['GET /health/live (public)', { url: `${app.baseUrl}/health/live` }],
      ['GET /v1/auth/me', { url: `${app.baseUrl}/v1/auth/me`, token: accessToken }],
      ['  token check only', { url: `${app.baseUrl}/bench/token`, token: accessToken }],
      ['  token + rate limit', { url: `${app.baseUrl}/bench/token-limited`, token: accessToken }],
    ];
    const rates = await measure(targets.map(([, target]) => target));
    report(
      targets.map(([label]) => label),
      rates,
    );
  } finally {
    await app.close();
    await backends.stop();
  }
}

await main();
