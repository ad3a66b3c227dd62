import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { StorageObjectMissingError } from './errors/storage-errors.js';
import type { StoragePolicy } from './resilience/storage-policy.js';
import type {
  CompletedPart,
  DeleteObjectsResult,
  ObjectListing,
  StoredObjectInfo,
  StoredPart,
} from './storage.types.js';

// S3 limits: DeleteObjects takes 1000 keys, ListParts pages 1000 parts.
const DELETE_BATCH = 1000;
const MAX_LIST_PAGES = 100;

/**
 * Server-side storage operations on the configured bucket. Every call goes through the
 * StoragePolicy (deadline, circuit breaker, metrics, domain errors).
 */
export class StorageService {
  constructor(
    private readonly client: S3Client,
    private readonly policy: StoragePolicy,
    readonly bucket: string,
  ) {}

  /** Resolves when the bucket exists and is reachable. */
  async headBucket(options: { timeoutMs?: number } = {}): Promise<void> {
    await this.policy.execute(
      'HeadBucket',
      (abortSignal) =>
        this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal }),
      { key: this.bucket, timeoutMs: options.timeoutMs },
    );
  }

  /**
   * The object's metadata, or null when it does not exist. (On AWS the credentials need
   * s3:ListBucket, or a missing key answers 403 instead of 404.)
   */
  async headObject(key: string): Promise<StoredObjectInfo | null> {
    try {
      const out = await this.policy.execute(
        'HeadObject',
        (abortSignal) =>
          this.client.send(
            new HeadObjectCommand({ Bucket: this.bucket, Key: key, ChecksumMode: 'ENABLED' }),
            { abortSignal },
          ),
        { key },
      );
      return {
        size: out.ContentLength ?? 0,
        etag: out.ETag ?? '',
        checksumSha256: out.ChecksumSHA256,
        contentType: out.ContentType,
        lastModified: out.LastModified ?? new Date(0),
      };
    } catch (err) {
      if (err instanceof StorageObjectMissingError) return null;
      throw err;
    }
  }

  /** Deletes keys in batches; a key that is already gone counts as deleted. */
  async deleteObjects(keys: readonly string[]): Promise<DeleteObjectsResult> {
    const result: DeleteObjectsResult = { deleted: [], failed: [] };
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const out = await this.policy.execute('DeleteObjects', (abortSignal) =>
        this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
          { abortSignal },
        ),
      );
      const failed = new Set<string>();
      for (const e of out.Errors ?? []) {
        if (e.Key === undefined) continue;
        failed.add(e.Key);
        result.failed.push({ key: e.Key, code: e.Code ?? 'Unknown' });
      }
      for (const key of batch) if (!failed.has(key)) result.deleted.push(key);
    }
    return result;
  }

  /** One page of keys under a prefix (for reconciliation). */
  async listObjects(
    options: { prefix?: string; nextToken?: string; maxKeys?: number } = {},
  ): Promise<ObjectListing> {
    const out = await this.policy.execute('ListObjectsV2', (abortSignal) =>
      this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: options.prefix,
          ContinuationToken: options.nextToken,
          MaxKeys: options.maxKeys,
        }),
        { abortSignal },
      ),
    );
    return {
      objects: (out.Contents ?? []).flatMap((o) =>
        o.Key === undefined
          ? []
          : [{ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) }],
      ),
      nextToken: out.IsTruncated === true ? out.NextContinuationToken : undefined,
    };
  }

  async createMultipartUpload(input: {
    key: string;
    contentType: string;
    /** Parts then carry (and storage verifies) a SHA-256 each. */
    checksumSha256?: boolean;
  }): Promise<{ uploadId: string }> {
    const out = await this.policy.execute(
      'CreateMultipartUpload',
      (abortSignal) =>
        this.client.send(
          new CreateMultipartUploadCommand({
            Bucket: this.bucket,
            Key: input.key,
            ContentType: input.contentType,
            ChecksumAlgorithm: input.checksumSha256 === true ? 'SHA256' : undefined,
          }),
          { abortSignal },
        ),
      { key: input.key },
    );
    if (out.UploadId === undefined) throw new Error('CreateMultipartUpload returned no UploadId');
    return { uploadId: out.UploadId };
  }

  /** All parts uploaded so far. Throws StorageObjectMissingError for an unknown upload. */
  async listParts(key: string, uploadId: string): Promise<StoredPart[]> {
    const parts: StoredPart[] = [];
    let marker: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const out = await this.policy.execute(
        'ListParts',
        (abortSignal) =>
          this.client.send(
            new ListPartsCommand({
              Bucket: this.bucket,
              Key: key,
              UploadId: uploadId,
              PartNumberMarker: marker,
            }),
            { abortSignal },
          ),
        { key },
      );
      for (const p of out.Parts ?? []) {
        if (p.PartNumber === undefined) continue;
        parts.push({
          partNumber: p.PartNumber,
          size: p.Size ?? 0,
          etag: p.ETag ?? '',
          checksumSha256: p.ChecksumSHA256,
        });
      }
      if (out.IsTruncated !== true || out.NextPartNumberMarker === undefined) break;
      marker = out.NextPartNumberMarker;
    }
    return parts;
  }

  /** Idempotent: an upload that is already gone counts as aborted. */
  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    try {
      await this.policy.execute(
        'AbortMultipartUpload',
        (abortSignal) =>
          this.client.send(
            new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }),
            { abortSignal },
          ),
        { key },
      );
    } catch (err) {
      if (!(err instanceof StorageObjectMissingError)) throw err;
    }
  }

  async completeMultipartUpload(input: {
    key: string;
    uploadId: string;
    parts: readonly CompletedPart[];
  }): Promise<{ etag: string; checksumSha256?: string }> {
    const parts = [...input.parts].sort((a, b) => a.partNumber - b.partNumber);
    const out = await this.policy.execute(
      'CompleteMultipartUpload',
      (abortSignal) =>
        this.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.bucket,
            Key: input.key,
            UploadId: input.uploadId,
            MultipartUpload: {
              Parts: parts.map((p) => ({
                PartNumber: p.partNumber,
                ETag: p.etag,
                ChecksumSHA256: p.checksumSha256,
              })),
            },
          }),
          { abortSignal },
        ),
      { key: input.key },
    );
    return { etag: out.ETag ?? '', checksumSha256: out.ChecksumSHA256 };
  }
}
