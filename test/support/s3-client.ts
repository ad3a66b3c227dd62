// S3 clients and buckets for tests, configured the way libs/storage configures the product's
// client, so a test sees what the product will see.
import { CreateBucketCommand, S3Client, type BucketLocationConstraint } from '@aws-sdk/client-s3';

export interface S3Access {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Path-style, checksums only where S3 requires them (as libs/storage), and one attempt by
 * default: a misbehaving server fails the test instead of stalling it behind retries.
 */
export function testS3Client(access: S3Access, { maxAttempts = 1 } = {}): S3Client {
  return new S3Client({
    endpoint: access.endpoint,
    region: access.region,
    credentials: access.credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts,
  });
}

/** Creates `bucket`, with the location constraint that regions other than us-east-1 require. */
export async function createBucket(
  client: S3Client,
  bucket: string,
  region: string,
): Promise<void> {
  await client.send(
    new CreateBucketCommand({
      Bucket: bucket,
      ...(region === 'us-east-1'
        ? {}
        : {
            CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint },
          }),
    }),
  );
}

const envValue = (name: string): string | undefined => {
  const value = process.env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

/**
 * The real S3 or MinIO a suite should run against instead of the devstack: S3_ENDPOINT with
 * S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and optionally S3_REGION; undefined when S3_ENDPOINT
 * is unset. Refuses an endpoint without credentials rather than failing later on a signature.
 */
export function externalS3(): S3Access | undefined {
  const endpoint = envValue('S3_ENDPOINT');
  if (endpoint === undefined) return undefined;
  const accessKeyId = envValue('S3_ACCESS_KEY_ID');
  const secretAccessKey = envValue('S3_SECRET_ACCESS_KEY');
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    throw new Error(
      'S3_ENDPOINT is set: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are required too',
    );
  }
  return {
    endpoint: endpoint.replace(/\/+$/, ''),
    region: envValue('S3_REGION') ?? 'us-east-1',
    credentials: { accessKeyId, secretAccessKey },
  };
}
