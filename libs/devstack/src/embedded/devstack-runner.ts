// Starts the devstack's MongoDB and S3 servers for `npm start`, data under DATA_DIR, on the
// planned ports and S3 bind address (a taken default port falls back to a free one; a taken explicit port is an error).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startMongoServer, type MongoServerHandle } from '../mongo/index.js';
import { startS3Server, type S3ServerHandle } from '../s3/index.js';
import { DEFAULT_S3_HOST, LaunchError, type DevstackPlan, type PortChoice } from './launch-plan.js';

export interface RunningDevstack {
  mongo: MongoServerHandle;
  s3: S3ServerHandle;
  /** The address the S3 server is bound to. */
  s3Host: string;
  /** Ports that were taken, so the banner can say why the URI differs from the usual one. */
  fallbacks: string[];
  stop(): Promise<void>;
}

function isAddressInUse(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  return code === 'EADDRINUSE' || (typeof message === 'string' && message.includes('EADDRINUSE'));
}

async function onPort<T>(
  name: string,
  choice: PortChoice,
  fallbacks: string[],
  start: (port: number) => Promise<T>,
): Promise<T> {
  try {
    return await start(choice.port);
  } catch (err) {
    if (!isAddressInUse(err)) throw err;
    if (choice.explicit) {
      throw new LaunchError(`${name}: port ${String(choice.port)} is already in use`);
    }
    fallbacks.push(`${name} port ${String(choice.port)} was taken`);
    return start(0);
  }
}

export async function startDevstack(plan: DevstackPlan, region: string): Promise<RunningDevstack> {
  const mongoDir = join(plan.dataDir, 'mongo');
  const s3Dir = join(plan.dataDir, 's3');
  await mkdir(mongoDir, { recursive: true, mode: 0o700 });
  await mkdir(s3Dir, { recursive: true, mode: 0o700 });

  const fallbacks: string[] = [];
  const mongo = await onPort('DEVSTACK_MONGO_PORT', plan.mongoPort, fallbacks, (port) =>
    startMongoServer({ port, dataDir: mongoDir }),
  );
  const s3Host = plan.s3Host ?? DEFAULT_S3_HOST;
  let s3: S3ServerHandle;
  try {
    s3 = await onPort('DEVSTACK_S3_PORT', plan.s3Port, fallbacks, (port) =>
      startS3Server({
        port,
        host: s3Host,
        dataDir: s3Dir,
        region,
        credentials: plan.credentials,
      }),
    );
  } catch (err) {
    await mongo.stop();
    throw err;
  }
  return {
    mongo,
    s3,
    s3Host,
    fallbacks,
    async stop() {
      // Both flush their data; one failing must not keep the other running.
      await Promise.allSettled([s3.stop(), mongo.stop()]);
    },
  };
}
