import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { StorageObjectMissingError, StorageRequestRejectedError } from './errors/storage-errors.js';
import { BucketLifecycle } from './lifecycle/bucket-lifecycle.js';
import { asReadable, hashStream, readAtMost } from './objects/body-readers.js';
import { toUploadListing } from './objects/listings.js';
import type { StoragePolicy } from './resilience/storage-policy.js';
import type {
  CompletedPart,
  DeleteObjectsResult,
  LifecycleRuleOutcome,
  ObjectListing,
  StoredObjectInfo,
  StoredPart,
  UploadListing,
} from './storage.types.js';

// S3 limits: DeleteObjects takes 1000 keys, an upload has at most 10,000 parts.
const DELETE_BATCH = 1000;
const MAX_PARTS = 10_000;
/** The most getObjectRange reads in one call. */
export const MAX_RANGE_BYTES = 64 * 1024;

/**
 * Server-side storage operations on the configured bucket. Every call goes through the
 * StoragePolicy (deadline, circuit breaker, metrics, domain errors).
 */
export class StorageService {
  private readonly lifecycle: BucketLifecycle;

  constructor(
    private readonly client: S3Client,
    private readonly policy: StoragePolicy,
    readonly bucket: string,
  ) {
    this.lifecycle = new BucketLifecycle(client, policy, bucket);
  }

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
        contentEncoding: out.ContentEncoding,
        lastModified: out.LastModified ?? new Date(0),
      };
    } catch (err) {
      if (err instanceof StorageObjectMissingError) return null;
      throw err;
    }
  }

  /**
   * Bytes `start..endInclusive` of the object (at most MAX_RANGE_BYTES), fewer when the object
   * is shorter, empty when it is shorter than `start + 1` bytes; null when it does not exist.
   */
  async getObjectRange(key: string, start: number, endInclusive: number): Promise<Buffer | null> {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(endInclusive) || start < 0) {
      throw new RangeError('start and endInclusive must be non-negative integers');
    }
    const length = endInclusive - start + 1;
    if (length < 1 || length > MAX_RANGE_BYTES) {
      throw new RangeError(`A range must hold 1..${MAX_RANGE_BYTES} bytes`);
    }
    try {
      return await this.policy.execute(
        'GetObjectRange',
        async (abortSignal) => {
          const out = await this.client.send(
            new GetObjectCommand({
              Bucket: this.bucket,
              Key: key,
              Range: `bytes=${start}-${endInclusive}`,
            }),
            { abortSignal },
          );
          return readAtMost(asReadable(out.Body), length, abortSignal);
        },
        { key },
      );
    } catch (err) {
      if (err instanceof StorageObjectMissingError) return null;
      // 416: the object is shorter than `start + 1` bytes (an empty object always is).
      if (err instanceof StorageRequestRejectedError && err.httpStatus === 416) {
        return Buffer.alloc(0);
      }
      throw err;
    }
  }

  /**
   * Reads the whole object back through SHA-256 in constant memory; null when it does not
   * exist. No overall deadline (5 GiB take minutes): it fails once `idleTimeoutMs` (default:
   * the call deadline) pass without a byte, and at once while the circuit is not closed.
   */
  async readObjectSha256(
    key: string,
    options: { idleTimeoutMs?: number } = {},
  ): Promise<{ sha256Hex: string; size: number } | null> {
    try {
      return await this.policy.executeStreaming(
        'ReadObjectSha256',
        async (abortSignal, progress) => {
          const out = await this.client.send(
            new GetObjectCommand({ Bucket: this.bucket, Key: key }),
            {
              abortSignal,
            },
          );
          progress();
          return hashStream(asReadable(out.Body), out.ContentLength, abortSignal, progress);
        },
        { key, idleTimeoutMs: options.idleTimeoutMs },
      );
    } catch (err) {
      if (err instanceof StorageObjectMissingError) return null;
      throw err;
    }
  }

  /** Deletes one object; a key that is already gone counts as deleted. */
  async deleteObject(key: string): Promise<void> {
    await this.policy.execute(
      'DeleteObject',
      (abortSignal) =>
        this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), {
          abortSignal,
        }),
      { key },
    );
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

  /**
   * Starts a multipart upload. With `checksumSha256`, storage verifies a SHA-256 on every part
   * (presignUploadPart binds it) and the completed object carries a composite `<b64>-<parts>`.
   */
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

  /**
   * Every part uploaded so far (up to 10,000), in part-number order, following ListParts
   * pagination (`pageSize`: parts per page, S3's maximum 1000 by default). Throws
   * StorageObjectMissingError for an unknown (aborted, completed) upload.
   */
  async listParts(
    key: string,
    uploadId: string,
    options: { pageSize?: number } = {},
  ): Promise<StoredPart[]> {
    const parts: StoredPart[] = [];
    let marker: string | undefined;
    for (;;) {
      const out = await this.policy.execute(
        'ListParts',
        (abortSignal) =>
          this.client.send(
            new ListPartsCommand({
              Bucket: this.bucket,
              Key: key,
              UploadId: uploadId,
              PartNumberMarker: marker,
              MaxParts: options.pageSize,
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
      if (out.IsTruncated !== true) return parts;
      const next = out.NextPartNumberMarker;
      // Part numbers only grow and stop at 10,000: a marker that does not advance (or a
      // listing past the limit) is a broken server, not a reason to loop forever.
      if (next === undefined || Number(next) <= Number(marker ?? 0) || parts.length > MAX_PARTS) {
        throw new Error(`ListParts pagination did not advance past marker ${String(marker)}`);
      }
      marker = next;
    }
  }

  /**
   * One page of the multipart uploads in progress (for reconciliation), by key then initiation
   * time; pass `next` back for the following page. At most `maxUploads` (S3: 1000) per page.
   */
  async listMultipartUploads(
    options: { prefix?: string; next?: UploadListing['next']; maxUploads?: number } = {},
  ): Promise<UploadListing> {
    const out = await this.policy.execute('ListMultipartUploads', (abortSignal) =>
      this.client.send(
        new ListMultipartUploadsCommand({
          Bucket: this.bucket,
          Prefix: options.prefix,
          KeyMarker: options.next?.keyMarker,
          UploadIdMarker: options.next?.uploadIdMarker,
          MaxUploads: options.maxUploads,
        }),
        { abortSignal },
      ),
    );
    return toUploadListing(out, options.next);
  }

  /**
   * Makes storage itself abort the multipart uploads under `prefix` that stay incomplete for
   * `days` days. Keeps every rule the bucket already has. 'present' when an enabled rule
   * already does so for the prefix or the whole bucket, or when a rule carries our `id` in any
   * state (an operator who disabled or changed it meant it: it is left as it is), 'added' once
   * ours is put; both list the enabled rules that abort uploads under `prefix` in fewer than
   * `days` days (kept too). 'unsupported' when storage has no lifecycle API (501
   * NotImplemented), 'forbidden' when the credentials lack the permission of the call refused
   * (403 AccessDenied). Throws StorageUnavailableError and other refusals, for a retry later.
   */
  ensureAbortIncompleteUploadsRule(options: {
    id: string;
    prefix: string;
    days: number;
  }): Promise<LifecycleRuleOutcome> {
    return this.lifecycle.ensureAbortIncompleteUploadsRule(options);
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

  /**
   * Assembles the parts (sorted by number; pass listParts' result: ETags and, for a SHA-256
   * upload, each part's checksum, which storage requires and checks). Throws
   * StorageObjectMissingError when the upload is gone: aborted, or completed already (another
   * replica may have won; headObject tells).
   */
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
