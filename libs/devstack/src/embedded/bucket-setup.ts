// Creates the product's bucket in the devstack S3 (idempotent) and sets the CORS rules browsers
// need for presigned uploads and downloads from PUBLIC_URL and CORS_ORIGINS.
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketCorsCommand,
  S3Client,
  type CORSRule,
} from '@aws-sdk/client-s3';

export interface BucketTarget {
  endpoint: string;
  region: string;
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** The rule set `npm start` applies; the README shows the same rules for MinIO and AWS. */
export function corsRulesFor(origins: readonly string[]): CORSRule[] {
  return [
    {
      AllowedOrigins: [...new Set(origins)],
      AllowedMethods: ['GET', 'PUT', 'HEAD'],
      // Presigned PUTs send content-type, content-length and x-amz-checksum-sha256 (and
      // if-none-match); "*" keeps the rule valid as the signed header set evolves.
      AllowedHeaders: ['*'],
      ExposeHeaders: ['ETag', 'x-amz-checksum-sha256', 'x-amz-request-id'],
      MaxAgeSeconds: 3600,
    },
  ];
}

function statusOf(err: unknown): number | undefined {
  const meta = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata;
  return meta?.httpStatusCode;
}

export async function ensureBucket(
  target: BucketTarget,
  origins: readonly string[],
): Promise<void> {
  const client = new S3Client({
    endpoint: target.endpoint,
    region: target.region,
    credentials: target.credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  try {
    try {
      await client.send(new HeadBucketCommand({ Bucket: target.bucket }));
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      await client.send(new CreateBucketCommand({ Bucket: target.bucket }));
    }
    await client.send(
      new PutBucketCorsCommand({
        Bucket: target.bucket,
        CORSConfiguration: { CORSRules: corsRulesFor(origins) },
      }),
    );
  } finally {
    client.destroy();
  }
}
