// Creates the product's bucket in the devstack S3 (idempotent) and applies the product's CORS
// rules (storageCorsRules, the one source the README prints too) for PUBLIC_URL and CORS_ORIGINS.
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketCorsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { storageCorsRules } from '@app/storage';

export interface BucketTarget {
  endpoint: string;
  region: string;
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
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
        CORSConfiguration: { CORSRules: storageCorsRules(origins) },
      }),
    );
  } finally {
    client.destroy();
  }
}
