import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { FileDownloadsRepository } from './file-downloads.repository.js';
import { toFileRecord, type LeanFile } from './file.records.js';
import type { FileRecord } from './file.repository.js';
import { StoredFile } from './file.schema.js';

@Injectable()
export class MongooseFileDownloadsRepository extends FileDownloadsRepository {
  constructor(@InjectModel(StoredFile.name) private readonly files: Model<StoredFile>) {
    super();
  }

  async take(id: string, sessionId: string): Promise<FileRecord | null> {
    // As FileRepository.grantDownload's increment, with the session in the filter: maxDownloads
    // is the file's own fixed field, so concurrent grants on any replica never exceed it.
    const doc = await this.files
      .findOneAndUpdate(
        {
          _id: String(id),
          sessionId: String(sessionId),
          status: 'ready',
          $expr: { $lt: ['$downloads', '$maxDownloads'] },
        },
        { $inc: { downloads: 1 } },
        { returnDocument: 'after' },
      )
      .lean<LeanFile>()
      .exec();
    return doc === null ? null : toFileRecord(doc);
  }

  async giveBack(id: string): Promise<void> {
    await this.files
      .updateOne({ _id: String(id), downloads: { $gte: 1 } }, { $inc: { downloads: -1 } })
      .exec();
  }
}
