// Many ready files in a session, fast: the records inserted with the MongoDB driver exactly as the
// API leaves them once a single upload is complete (libs/database/src/files/file.schema.ts), and
// their objects written to storage under the same keys. Thousands of declares, PUTs and
// completes through HTTP would take minutes; the worker cannot tell the difference.
import { createHash, randomBytes } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Db } from 'mongodb';

export interface SeedTarget {
  db: Db;
  s3: S3Client;
  bucket: string;
}

export interface SeededFile {
  id: string;
  key: string;
}

interface SessionDoc {
  _id: string;
  ownerId: string;
  limits: { maxDownloadsPerFile: number };
}

/** A file document as the API stores it (every field below, `_id` the public id). */
type FileDoc = { _id: string } & Record<string, unknown>;

const newId = (): string => randomBytes(16).toString('base64url');
const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

/** Runs `each` over `items`, at most `limit` at once. */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  each: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++];
        if (item !== undefined) await each(item);
      }
    }),
  );
}

/**
 * `count` ready files in session `sessionId` (which must exist): objects first, as storage holds
 * them before any record says `ready`, then the records and the session's counters.
 */
export async function seedReadyFiles(
  target: SeedTarget,
  sessionId: string,
  count: number,
  concurrency = 32,
): Promise<SeededFile[]> {
  const session = await target.db.collection<SessionDoc>('sessions').findOne({ _id: sessionId });
  if (session === null) throw new Error(`no session ${sessionId}`);
  // Uploaded an hour ago: the upload URLs have expired long since, as for any old file.
  const createdAt = new Date(Date.now() - 3600_000);
  const files = Array.from({ length: count }, (_, i) => {
    const id = newId();
    const bytes = Buffer.from(`seeded file ${String(i)} of session ${sessionId}\n`);
    return { id, key: `sessions/${sessionId}/files/${id}`, bytes };
  });
  await inParallel(files, concurrency, async (file) => {
    await target.s3.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: file.key,
        Body: file.bytes,
        ContentType: 'text/plain',
      }),
    );
  });
  const readyAt = new Date(createdAt.getTime() + 1000);
  await target.db.collection<FileDoc>('files').insertMany(
    files.map((file, i) => ({
      _id: file.id,
      sessionId,
      ownerId: session.ownerId,
      uploadedBy: { kind: 'user', id: session.ownerId },
      name: `file-${String(i)}.txt`,
      contentType: 'text/plain',
      size: file.bytes.length,
      sha256: createHash('sha256').update(file.bytes).digest('hex'),
      storageKey: file.key,
      status: 'ready',
      upload: { mode: 'single', uploadId: null, partSize: null, partCount: null },
      uploadExpiresAt: new Date(createdAt.getTime() + 86_400_000),
      uploadUrlExpiresAt: new Date(createdAt.getTime() + 600_000),
      quotaDay: utcDay(createdAt),
      downloads: 0,
      maxDownloads: session.limits.maxDownloadsPerFile,
      createdAt,
      readyAt,
      rejectedReason: null,
      deletedAt: null,
      verifyLeaseUntil: null,
      verifyAttempts: 0,
      objectPurgedAt: null,
      objectMissingAt: null,
    })),
    { ordered: false },
  );
  // The session's counters, as each declare reserved them.
  await target.db.collection<SessionDoc>('sessions').updateOne(
    { _id: sessionId },
    {
      $inc: {
        'stats.files': count,
        'stats.bytes': files.reduce((sum, f) => sum + f.bytes.length, 0),
      },
    },
  );
  return files.map(({ id, key }) => ({ id, key }));
}
