import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Collection } from 'mongodb';
import type { Model } from 'mongoose';
import { hotCollection } from '../repository/index.js';
import { FileDownloadsRepository } from './file-downloads.repository.js';
import { toFileRecord, type LeanFile } from './file.records.js';
import type { FileRecord } from './file.repository.js';
import { StoredFile } from './file.schema.js';

@Injectable()
export class MongooseFileDownloadsRepository extends FileDownloadsRepository {
  private readonly hot: Collection<LeanFile>;

  constructor(@InjectModel(StoredFile.name) private readonly files: Model<StoredFile>) {
    super();
    this.hot = hotCollection<LeanFile>(files);
  }

  async take(id: string, sessionId: string): Promise<FileRecord | null> {
    // As FileRepository.grantDownload's increment, with the session in the filter: maxDownloads
    // is the file's own fixed field, so concurrent grants on any replica never exceed it.
    // A device's every grant runs it: a hot command, without a Mongoose query (hotCollection).
    const doc = await this.hot.findOneAndUpdate(
      {
        _id: String(id),
        sessionId: String(sessionId),
        status: 'ready',
        $expr: { $lt: ['$downloads', '$maxDownloads'] },
      },
      { $inc: { downloads: 1 } },
      { returnDocument: 'after' },
    );
    return doc === null ? null : toFileRecord(doc);
  }

  async giveBack(id: string): Promise<void> {
    await this.files
      .updateOne({ _id: String(id), downloads: { $gte: 1 } }, { $inc: { downloads: -1 } })
      .exec();
  }
}
