import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, QueryFilter } from 'mongoose';
import { toFileRecord, type LeanFile } from '../files/file.records.js';
import type { FileRecord } from '../files/file.repository.js';
import { StoredFile } from '../files/file.schema.js';
import { FileLifecycleRepository } from './file-lifecycle.repository.js';
import { batchSize, idList } from '../repository/index.js';
import { fenced, type WriteFence } from './write-fence.js';

@Injectable()
export class MongooseFileLifecycleRepository extends FileLifecycleRepository {
  constructor(@InjectModel(StoredFile.name) private readonly files: Model<StoredFile>) {
    super();
  }

  async findBySessions(sessionIds: readonly string[], limit: number): Promise<FileRecord[]> {
    if (sessionIds.length === 0) return [];
    // The order of the {sessionId, createdAt, _id} index, which then serves filter and sort.
    const docs = await this.files
      .find({ sessionId: { $in: idList(sessionIds) } })
      .sort({ sessionId: 1, createdAt: 1, _id: 1 })
      .limit(batchSize(limit))
      .lean<LeanFile[]>()
      .exec();
    return docs.map(toFileRecord);
  }

  async deleteOfSessions(
    ids: readonly string[],
    sessionIds: readonly string[],
    fence?: WriteFence,
  ): Promise<number> {
    if (ids.length === 0 || sessionIds.length === 0) return 0;
    const result = await this.files
      .deleteMany(
        fenced({ _id: { $in: idList(ids) }, sessionId: { $in: idList(sessionIds) } }, fence),
      )
      .exec();
    return result.deletedCount;
  }

  async findObjectPurgeDue(now: Date, limit: number): Promise<FileRecord[]> {
    const at = new Date(now);
    const filter: QueryFilter<StoredFile> = {
      objectPurgedAt: null,
      status: { $in: ['rejected', 'deleted'] },
      $or: [
        { uploadUrlExpiresAt: { $lte: at } },
        // Recorded before uploadUrlExpiresAt existed: no URL outlived the upload window.
        { uploadUrlExpiresAt: null, uploadExpiresAt: { $lte: at } },
      ],
    };
    const docs = await this.files
      .find(filter)
      .sort({ createdAt: 1, _id: 1 })
      .limit(batchSize(limit))
      .lean<LeanFile[]>()
      .exec();
    return docs.map(toFileRecord);
  }

  async settlePurged(
    ids: readonly string[],
    now: Date,
    fence?: WriteFence,
  ): Promise<{ removed: number; marked: number }> {
    if (ids.length === 0) return { removed: 0, marked: 0 };
    const list = idList(ids);
    const removed = await this.files
      .deleteMany(fenced({ _id: { $in: list }, status: 'deleted' }, fence))
      .exec();
    const marked = await this.files
      .updateMany(fenced({ _id: { $in: list }, status: 'rejected', objectPurgedAt: null }, fence), {
        $set: { objectPurgedAt: new Date(now) },
      })
      .exec();
    return { removed: removed.deletedCount, marked: marked.modifiedCount };
  }

  async findAbandoned(now: Date, limit: number): Promise<FileRecord[]> {
    // Sorted on the {status, uploadExpiresAt} index's own order: no in-memory sort.
    const docs = await this.files
      .find({ status: 'pending', uploadExpiresAt: { $lte: new Date(now) } })
      .sort({ uploadExpiresAt: 1 })
      .limit(batchSize(limit))
      .lean<LeanFile[]>()
      .exec();
    return docs.map(toFileRecord);
  }

  async findByIds(ids: readonly string[]): Promise<FileRecord[]> {
    if (ids.length === 0) return [];
    const docs = await this.files
      .find({ _id: { $in: idList(ids) } })
      .lean<LeanFile[]>()
      .exec();
    return docs.map(toFileRecord);
  }

  async findReadyInKeyRange(
    after: string | null,
    upTo: string | null,
    limit: number,
  ): Promise<FileRecord[]> {
    const range: { $gt?: string; $lte?: string } = {};
    if (after !== null) range.$gt = String(after);
    if (upTo !== null) range.$lte = String(upTo);
    // Without a collation MongoDB compares strings by their UTF-8 bytes, as S3 lists keys.
    const docs = await this.files
      .find({ status: 'ready', ...(after === null && upTo === null ? {} : { storageKey: range }) })
      .sort({ storageKey: 1 })
      .limit(batchSize(limit))
      .lean<LeanFile[]>()
      .exec();
    return docs.map(toFileRecord);
  }

  async flagObjectMissing(id: string, now: Date, fence?: WriteFence): Promise<boolean> {
    const result = await this.files
      .updateOne(fenced({ _id: String(id), status: 'ready', objectMissingAt: null }, fence), {
        $set: { objectMissingAt: new Date(now) },
      })
      .exec();
    return result.modifiedCount === 1;
  }
}
