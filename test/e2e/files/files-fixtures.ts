// Fixtures of the files e2e specs: owners, sessions, paired devices, a look into storage and a
// lease for the worker jobs a spec runs itself.
import { HeadObjectCommand, NotFound, S3ServiceException } from '@aws-sdk/client-s3';
import type { FenceGuard } from '../../../apps/worker/src/jobs/lifecycle-job.js';
import type { TestBackends } from '../../support/backends.js';
import { testS3Client } from '../../support/s3-client.js';
import {
  claimActive,
  createPairing,
  createSession,
  GENEROUS_LIMITS,
  newOwner,
  type Owner,
  type Session,
} from '../pairing/pairing-client.js';

export { GENEROUS_LIMITS, newOwner, type Owner };

export interface Shared {
  owner: Owner;
  session: Session;
}

/** A fresh owner with one session (`body` as POST /v1/sessions takes it). */
export async function ownerWithSession(
  baseUrl: string,
  body: Record<string, unknown> = {},
): Promise<Shared> {
  const owner = await newOwner(baseUrl);
  const session = await createSession(baseUrl, owner, body);
  return { owner, session };
}

/** A new session of `owner` with these guest permissions, and one active device in it. */
export async function sessionWithDevice(
  baseUrl: string,
  owner: Owner,
  guestPermissions: string[],
  body: Record<string, unknown> = {},
): Promise<{ session: Session; deviceToken: string; deviceId: string }> {
  const session = await createSession(baseUrl, owner, { ...body, guestPermissions });
  const claimed = await claimActive(baseUrl, await createPairing(baseUrl, owner, session.id));
  return { session, deviceToken: claimed.accessToken, deviceId: claimed.device.id };
}

export const storageKey = (sessionId: string, fileId: string): string =>
  `sessions/${sessionId}/files/${fileId}`;

/** Whether storage holds the object (HEAD through an S3 client, outside the product). */
export async function objectExists(backends: TestBackends, key: string): Promise<boolean> {
  const { endpoint, region, accessKeyId, secretAccessKey, bucket } = backends.s3;
  const client = testS3Client({ endpoint, region, credentials: { accessKeyId, secretAccessKey } });
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (err) {
    if (err instanceof NotFound) return false;
    if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404) return false;
    throw err;
  } finally {
    client.destroy();
  }
}

/**
 * A run's fence that never loses its lease, for a job run a spec starts itself (beside, or
 * instead of, the worker's runner): the spec's runs are its own, one at a time.
 */
export const held: FenceGuard = {
  fence: 1,
  check: () => undefined,
  // A deadline an hour out: every write of the run lands.
  beforeWrite: () => ({ notAfter: new Date(Date.now() + 3_600_000) }),
};
