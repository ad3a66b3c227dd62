import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, QueryFilter, UpdateQuery } from 'mongoose';
import { fenced, type WriteFence } from '../lifecycle/write-fence.js';
import {
  batchSize,
  conflictOnDuplicate,
  decodeKeysetCursor,
  keysetPage,
} from '../repository/index.js';
import { toFileRecord, type LeanFile } from './file.records.js';
import {
  FileRepository,
  type DownloadGrant,
  type FilePage,
  type FileRecord,
  type FileStatus,
  type NewFile,
} from './file.repository.js';
import { FILE_STATUSES, StoredFile, type FileUploadDoc } from './file.schema.js';

/** A status from the caller, checked: anything else would be a query operator or a typo. */
function fileStatus(value: FileStatus): FileStatus {
  const status = String(value) as FileStatus;
  if (!FILE_STATUSES.includes(status)) throw new Error(`unknown file status ${status}`);
  return status;
}

function uploadDoc(file: NewFile): FileUploadDoc {
  const plan = file.upload;
  if (plan.mode !== 'multipart') {
    return { mode: 'single', uploadId: null, partSize: null, partCount: null };
  }
  return {
    mode: 'multipart',
    uploadId: String(plan.uploadId),
    partSize: Number(plan.partSize),
    partCount: Number(plan.partCount),
  };
}

@Injectable()
export class MongooseFileRepository extends FileRepository {
  constructor(@InjectModel(StoredFile.name) private readonly files: Model<StoredFile>) {
    super();
  }

  async create(file: NewFile): Promise<FileRecord> {
    try {
      const doc = await this.files.create({
        _id: String(file.id),
        sessionId: String(file.sessionId),
        ownerId: String(file.ownerId),
        uploadedBy: {
          kind: file.uploadedBy.kind === 'device' ? 'device' : 'user',
          id: String(file.uploadedBy.id),
        },
        name: String(file.name),
        contentType: String(file.contentType),
        size: Number(file.size),
        sha256: String(file.sha256),
        storageKey: String(file.storageKey),
        status: 'pending',
        upload: uploadDoc(file),
        uploadExpiresAt: new Date(file.uploadExpiresAt),
        uploadUrlExpiresAt:
          file.uploadUrlExpiresAt === null ? null : new Date(file.uploadUrlExpiresAt),
        quotaDay: String(file.quotaDay),
        downloads: 0,
        maxDownloads: Number(file.maxDownloads),
        createdAt: new Date(file.createdAt),
        readyAt: null,
        rejectedReason: null,
        deletedAt: null,
        verifyLeaseUntil: null,
        verifyAttempts: 0,
        objectPurgedAt: null,
        objectMissingAt: null,
      });
      return toFileRecord(doc.toObject<LeanFile>());
    } catch (error) {
      throw conflictOnDuplicate(error, 'A file with this id already exists');
    }
  }

  async findById(id: string): Promise<FileRecord | null> {
    const doc = await this.files
      .findOne({ _id: String(id) })
      .lean<LeanFile>()
      .exec();
    return doc === null ? null : toFileRecord(doc);
  }

  async listBySession(
    sessionId: string,
    statuses: FileStatus[],
    limit: number,
    cursor: string | null,
  ): Promise<FilePage> {
    const size = batchSize(limit);
    const filter: QueryFilter<StoredFile> = {
      sessionId: String(sessionId),
      status: { $in: statuses.map(fileStatus) },
    };
    if (cursor !== null) {
      // Same opaque `<createdAt ms>.<id>` keyset as the sessions list, ascending here.
      const after = decodeKeysetCursor(cursor);
      filter.$or = [
        { createdAt: { $gt: after.createdAt } },
        { createdAt: after.createdAt, _id: { $gt: after.id } },
      ];
    }
    // One more than asked: its presence says whether there is a next page.
    const docs = await this.files
      .find(filter)
      .sort({ createdAt: 1, _id: 1 })
      .limit(size + 1)
      .lean<LeanFile[]>()
      .exec();
    return keysetPage(docs, size, toFileRecord);
  }

  async transition(
    id: string,
    from: FileStatus[],
    to: FileStatus,
    now: Date,
    detail: { rejectedReason?: string } = {},
    fence?: WriteFence,
  ): Promise<FileRecord | null> {
    const target = fileStatus(to);
    const $set: UpdateQuery<StoredFile>['$set'] = {
      status: target,
      // A file that enters verifying is free for any verifier; one that leaves it holds no lease.
      verifyLeaseUntil: null,
    };
    if (target === 'ready') $set.readyAt = now;
    if (target === 'rejected') {
      $set.rejectedReason =
        detail.rejectedReason === undefined ? null : String(detail.rejectedReason);
    }
    if (target === 'deleted') $set.deletedAt = now;
    const doc = await this.files
      .findOneAndUpdate(
        fenced({ _id: String(id), status: { $in: from.map(fileStatus) } }, fence),
        { $set },
        { returnDocument: 'after' },
      )
      .lean<LeanFile>()
      .exec();
    return doc === null ? null : toFileRecord(doc);
  }

  async grantDownload(id: string): Promise<DownloadGrant> {
    const fileId = String(id);
    // One conditional increment; maxDownloads is the file's own (fixed) field, compared in the
    // filter, so concurrent grants on any replica never exceed it.
    const doc = await this.files
      .findOneAndUpdate(
        { _id: fileId, status: 'ready', $expr: { $lt: ['$downloads', '$maxDownloads'] } },
        { $inc: { downloads: 1 } },
        { returnDocument: 'after' },
      )
      .lean<LeanFile>()
      .exec();
    if (doc !== null) return { ok: true, file: toFileRecord(doc) };
    // Refused: say why from what the file looks like now.
    const current = await this.files
      .findOne({ _id: fileId }, { status: 1 })
      .lean<Pick<LeanFile, '_id' | 'status'>>()
      .exec();
    if (current === null) return { ok: false, reason: 'not_found' };
    if (current.status !== 'ready') return { ok: false, reason: 'not_ready' };
    return { ok: false, reason: 'limit_reached' };
  }

  async noteUploadUrl(id: string, expiresAt: Date): Promise<FileRecord | null> {
    const doc = await this.files
      .findOneAndUpdate(
        { _id: String(id), status: 'pending' },
        // $max: a later batch of part URLs never shortens what an earlier one allowed.
        { $max: { uploadUrlExpiresAt: new Date(expiresAt) } },
        { returnDocument: 'after' },
      )
      .lean<LeanFile>()
      .exec();
    return doc === null ? null : toFileRecord(doc);
  }

  async leaseVerification(
    now: Date,
    leaseMs: number,
    fence?: WriteFence,
  ): Promise<FileRecord | null> {
    const until = new Date(now.getTime() + Math.max(0, Number(leaseMs)));
    const doc = await this.files
      .findOneAndUpdate(
        fenced(
          {
            status: 'verifying',
            $or: [{ verifyLeaseUntil: null }, { verifyLeaseUntil: { $lte: now } }],
          },
          fence,
        ),
        { $set: { verifyLeaseUntil: until }, $inc: { verifyAttempts: 1 } },
        // Never-leased files first (null sorts lowest), then the longest-expired leases.
        { sort: { verifyLeaseUntil: 1 }, returnDocument: 'after' },
      )
      .lean<LeanFile>()
      .exec();
    return doc === null ? null : toFileRecord(doc);
  }

  async renewVerification(
    id: string,
    heldUntil: Date,
    until: Date,
    fence?: WriteFence,
  ): Promise<boolean> {
    const renewed = await this.files
      .updateOne(
        fenced(
          { _id: String(id), status: 'verifying', verifyLeaseUntil: new Date(heldUntil) },
          fence,
        ),
        { $set: { verifyLeaseUntil: new Date(until) } },
      )
      .exec();
    return renewed.matchedCount === 1;
  }

  async releaseVerification(id: string, heldUntil: Date, fence?: WriteFence): Promise<void> {
    await this.files
      .updateOne(
        fenced(
          {
            _id: String(id),
            status: 'verifying',
            verifyLeaseUntil: new Date(heldUntil),
            verifyAttempts: { $gte: 1 },
          },
          fence,
        ),
        { $set: { verifyLeaseUntil: null }, $inc: { verifyAttempts: -1 } },
      )
      .exec();
  }
}
