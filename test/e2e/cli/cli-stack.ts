// What the CLI specs run against: the real API (in this process, on 127.0.0.1:<free port>, with
// PUBLIC_URL set to it) on the devstack backends, multipart from 8 MiB (the minimum), and the
// compiled worker with fast verification, since a multipart file becomes `ready` only once the
// worker has read it back. Presigned storage URLs point at an HTTP gate in front of S3, so a
// spec can hold chosen uploads in flight (the API and the worker talk to S3 directly).
//
//   const stack = await startCliStack();
//   const alice = await stack.account();           // registered, and signed in through the CLI
//   startCli(['send', file, '--json'], alice.cli);
//   await stack.close();
import { loadConfig, type AppConfig } from '@app/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiApp } from '../../../apps/api/src/bootstrap.js';
import { startTestBackends, type TestBackends } from '../../support/backends.js';
import { startHttpGate, type HttpGate } from '../../support/http-gate.js';
import { withFreePorts } from '../../support/ports.js';
import { dropDatabase, testEnv } from '../../support/test-app.js';
import { onlyJobsFast } from '../worker/worker-fixtures.js';
import { startWorkerProcess, type WorkerProcess } from '../worker/worker-process.js';
import { runCli, type CliOptions } from './cli-runner.js';

export const MIB = 1024 * 1024;
/** MULTIPART_THRESHOLD_BYTES's minimum, and so the part size of every file used here. */
export const PART_BYTES = 8 * MIB;

const STACK_ENV: Record<string, string> = {
  MULTIPART_THRESHOLD_BYTES: String(PART_BYTES),
  RATE_LIMIT_MAX: '100000',
  RATE_LIMIT_AUTH_MAX: '100000',
  RATE_LIMIT_POLL_MAX: '100000',
  PAIRING_POLL_INTERVAL_SECONDS: '1',
};

export interface Account {
  email: string;
  password: string;
  /** The test's own access token (a separate login), for looking through the API. */
  token: string;
  /** Options for startCli/runCli as this user: their own config directory, signed in. */
  cli: CliOptions;
}

export interface CliStack {
  baseUrl: string;
  app: NestFastifyApplication;
  config: AppConfig;
  backends: TestBackends;
  /** In front of S3 for every presigned URL the API hands out. */
  gate: HttpGate;
  worker: WorkerProcess;
  /** A fresh empty config directory (removed at close). */
  tempDir(prefix?: string): Promise<string>;
  /** CLI options for nobody signed in. */
  anonymous(): Promise<CliOptions>;
  /** A new user, registered through the API and signed in with `sharexpress login`. */
  account(): Promise<Account>;
  /** An API call with a bearer token; JSON in and out. */
  api<T>(method: string, path: string, token: string, body?: unknown): Promise<ApiAnswer<T>>;
  close(): Promise<void>;
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

export async function startCliStack(): Promise<CliStack> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanUp = async (): Promise<void> => {
    for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    const backends = await startTestBackends();
    cleanups.push(() => backends.stop());
    const dataDir = await mkdtemp(join(tmpdir(), 'sx-cli-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const gate = await startHttpGate(backends.s3.endpoint);
    cleanups.push(() => gate.close());

    const { app, config, baseUrl } = await withFreePorts(1, async ([port = 0]) => {
      const origin = `http://127.0.0.1:${String(port)}`;
      const cfg = loadConfig({
        ...testEnv(backends, dataDir),
        ...STACK_ENV,
        PORT: String(port),
        PUBLIC_URL: origin,
        S3_PUBLIC_ENDPOINT: gate.endpoint,
      });
      const started = await createApiApp(cfg);
      try {
        await started.listen(port, '127.0.0.1');
      } catch (err) {
        await started.close().catch(() => undefined);
        throw err;
      }
      return { app: started, config: cfg, baseUrl: origin };
    });
    cleanups.push(async () => {
      await app.close();
      if (backends.external.mongo) await dropDatabase(config.mongo.uri);
    });

    const workerDir = join(dataDir, 'worker');
    await mkdir(workerDir);
    const worker = await startWorkerProcess('cli', {
      ...testEnv(backends, workerDir),
      ...onlyJobsFast('verify-uploads'),
      MONGODB_URI: config.mongo.uri,
      PUBLIC_URL: baseUrl,
    });
    cleanups.push(() => worker.stop());

    const tempDir = async (prefix = 'dir-'): Promise<string> => mkdtemp(join(dataDir, prefix));

    const api = async <T>(
      method: string,
      path: string,
      token: string,
      body?: unknown,
    ): Promise<ApiAnswer<T>> => {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
    };

    const anonymous = async (): Promise<CliOptions> => ({
      server: baseUrl,
      configDir: await tempDir('config-'),
    });

    const account = async (): Promise<Account> => {
      const email = `cli-${randomBytes(5).toString('hex')}@example.com`;
      const password = `pw-${randomBytes(9).toString('base64url')}`;
      const registered = await anonFetch(baseUrl, '/v1/auth/register', {
        email,
        password,
        displayName: 'CLI tester',
      });
      assert.equal(registered.status, 201, `register: ${JSON.stringify(registered.body)}`);
      const cli = await anonymous();
      const login = await runCli(['login', '--email', email, '--password-stdin'], {
        ...cli,
        input: `${password}\n`,
      });
      assert.equal(login.code, 0, `sharexpress login: ${login.stdout}\n${login.stderr}`);
      const tokens = await anonFetch(baseUrl, '/v1/auth/login', { email, password });
      assert.equal(tokens.status, 200);
      const token = (tokens.body as { accessToken: string }).accessToken;
      return { email, password, token, cli };
    };

    return {
      baseUrl,
      app,
      config,
      backends,
      gate,
      worker,
      tempDir,
      anonymous,
      account,
      api,
      close: cleanUp,
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

async function anonFetch(
  baseUrl: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}
