// Test backends for e2e specs.
//
//   const backends = await startTestBackends();   // once per spec file
//   ... startTestApp({ backends }) ...
//   await backends.stop();
//
// By default this starts the devstack's MongoDB-wire and S3 servers on free loopback ports with
// temporary data directories. With MONGODB_URI / S3_ENDPOINT (+ S3_ACCESS_KEY_ID,
// S3_SECRET_ACCESS_KEY, S3_REGION) set, it uses those real services and starts nothing; the
// stop/start hooks for fault tests exist only for the devstack.
import { startMongoServer, startS3Server } from '@app/devstack';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBucket, externalS3, testS3Client } from './s3-client.js';

export interface TestS3 {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** A bucket created for this set of backends. */
  bucket: string;
}

export interface TestBackends {
  /** Connection string without a database path (append `/<db>`). */
  mongoUri: string;
  s3: TestS3;
  /** True when MONGODB_URI / S3_ENDPOINT pointed at real services (nothing was started). */
  external: { mongo: boolean; s3: boolean };
  /** Devstack only: stop / restart MongoDB on the same port and data dir (fault tests). */
  stopMongo?(): Promise<void>;
  startMongo?(): Promise<void>;
  /** Devstack only: stop / restart S3 on the same port and data dir (fault tests). */
  stopS3?(): Promise<void>;
  startS3?(): Promise<void>;
  /** Stops whatever this call started and removes its temp data. */
  stop(): Promise<void>;
}

type MongoHandle = Awaited<ReturnType<typeof startMongoServer>>;
type S3Handle = Awaited<ReturnType<typeof startS3Server>>;

const env = (name: string): string | undefined => {
  const value = process.env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

export const randomSuffix = (): string => randomBytes(5).toString('hex');

/** Creates `s3.bucket` (idempotent), as startTestBackends does for its own bucket. */
export async function createTestBucket(s3: TestS3): Promise<void> {
  const { endpoint, region, accessKeyId, secretAccessKey } = s3;
  const client = testS3Client(
    { endpoint, region, credentials: { accessKeyId, secretAccessKey } },
    { maxAttempts: 2 },
  );
  try {
    await createBucket(client, s3.bucket, region);
  } finally {
    client.destroy();
  }
}

/** The connection variables of a config for `database` on these backends (for loadConfig). */
export function backendEnv(backends: TestBackends, database: string): Record<string, string> {
  return {
    MONGODB_URI: `${backends.mongoUri}/${database}`,
    S3_ENDPOINT: backends.s3.endpoint,
    S3_REGION: backends.s3.region,
    S3_BUCKET: backends.s3.bucket,
    S3_ACCESS_KEY_ID: backends.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: backends.s3.secretAccessKey,
  };
}

/** Starts (or connects to) MongoDB and S3 for one spec file and creates a unique bucket. */
export async function startTestBackends(): Promise<TestBackends> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sx-backends-'));
  const cleanups: (() => Promise<void>)[] = [() => rm(dataDir, { recursive: true, force: true })];
  const stopAll = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };

  try {
    const backends: TestBackends = {
      mongoUri: '',
      s3: { endpoint: '', region: '', accessKeyId: '', secretAccessKey: '', bucket: '' },
      external: { mongo: false, s3: false },
      stop: stopAll,
    };

    const externalMongo = env('MONGODB_URI');
    if (externalMongo !== undefined) {
      backends.mongoUri = externalMongo.replace(/\/+$/, '');
      backends.external.mongo = true;
    } else {
      const mongoDir = join(dataDir, 'mongo');
      let mongo: MongoHandle | undefined = await startMongoServer({ port: 0, dataDir: mongoDir });
      const port = mongo.port;
      backends.mongoUri = mongo.uri;
      backends.stopMongo = async () => {
        await mongo?.stop();
        mongo = undefined;
      };
      backends.startMongo = async () => {
        mongo ??= await startMongoServer({ port, dataDir: mongoDir });
      };
      cleanups.push(() => backends.stopMongo?.() ?? Promise.resolve());
    }

    const realS3 = externalS3();
    if (realS3 !== undefined) {
      backends.s3 = {
        endpoint: realS3.endpoint,
        region: realS3.region,
        ...realS3.credentials,
        bucket: `sx-test-${randomSuffix()}`,
      };
      backends.external.s3 = true;
    } else {
      const s3Dir = join(dataDir, 's3');
      let s3: S3Handle | undefined = await startS3Server({ port: 0, dataDir: s3Dir });
      const { port, region, credentials } = s3;
      backends.s3 = {
        endpoint: s3.endpoint,
        region,
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        bucket: `sx-test-${randomSuffix()}`,
      };
      backends.stopS3 = async () => {
        await s3?.stop();
        s3 = undefined;
      };
      backends.startS3 = async () => {
        s3 ??= await startS3Server({ port, dataDir: s3Dir, region, credentials });
      };
      cleanups.push(() => backends.stopS3?.() ?? Promise.resolve());
    }

    await createTestBucket(backends.s3);
    return backends;
  } catch (err) {
    await stopAll();
    throw err;
  }
}
