// Small helpers shared by the operational e2e specs (fault tests, embedded default, worker).
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Root of the compiled tree these specs run from (dist/ or OUT_DIR). */
export const compiledRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** A port that was free a moment ago (bound to 0, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** Why a suite is skipped when the backends are real services we must not stop. */
export const EXTERNAL_SKIP_REASON =
  'fault injection needs the devstack: MONGODB_URI / S3_ENDPOINT point at real services';
