// The devstack's S3-compatible server: a development and test stand-in for S3, never production.
import { listen, makeTempDataDir } from './server.js';
import { Store } from './store.js';
import { ensureDir } from './disk.js';
import { sweepLifecycle } from './lifecycle.js';
import type { Credentials } from './sigv4.js';
import { mintTemporaryCredentials, type TemporaryS3Credentials } from './temporary-credentials.js';

export type { TemporaryS3Credentials } from './temporary-credentials.js';

// Lifecycle rules count in days; a sweep every few minutes is precise enough.
const LIFECYCLE_SWEEP_MS = 5 * 60 * 1000;

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface S3ServerOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  credentials?: S3Credentials;
  region?: string;
}

export interface S3ServerHandle {
  endpoint: string;
  port: number;
  region: string;
  credentials: S3Credentials;
  /**
   * Temporary credentials the server accepts (with their session token) until `ttlMs` has
   * passed, then refuses with ExpiredToken, as S3 does with STS credentials.
   */
  issueTemporaryCredentials(ttlMs: number): TemporaryS3Credentials;
  stop(): Promise<void>;
}

/** Development-only default credentials; never use them for anything real. */
export const DEVSTACK_S3_CREDENTIALS: S3Credentials = {
  accessKeyId: 'devstack',
  secretAccessKey: 'devstack-secret',
};

/**
 * Starts an S3-compatible server on 127.0.0.1 (port 0 = any free port) storing data in
 * `dataDir`, or in a temporary directory removed on `stop()`. Every request except CORS
 * preflights must be SigV4-signed with `credentials`.
 */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3ServerHandle> {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'us-east-1';
  const credentials = { ...(options.credentials ?? DEVSTACK_S3_CREDENTIALS) };
  const temp = options.dataDir === undefined ? await makeTempDataDir() : undefined;
  const dataDir = options.dataDir ?? temp?.dir ?? '';
  await ensureDir(dataDir);
  const store = await Store.open(dataDir);
  // Read on every request: temporary credentials join while the server runs. Expired ones stay,
  // so their requests get ExpiredToken rather than InvalidAccessKeyId.
  const accepted: Credentials[] = [credentials];
  const running = await listen({ store, region, credentials: accepted }, host, options.port ?? 0);
  const sweep = (): void => {
    sweepLifecycle(store).catch((err: unknown) =>
      console.error('devstack s3: lifecycle sweep failed', err),
    );
  };
  sweep();
  const timer = setInterval(sweep, LIFECYCLE_SWEEP_MS);
  timer.unref();
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${running.port}`,
    port: running.port,
    region,
    credentials,
    issueTemporaryCredentials: (ttlMs) => {
      const { issued, accepted: record } = mintTemporaryCredentials(ttlMs);
      accepted.push(record);
      return issued;
    },
    stop: () =>
      (stopped ??= (async () => {
        clearInterval(timer);
        await running.stop();
        await temp?.cleanup();
      })()),
  };
}
