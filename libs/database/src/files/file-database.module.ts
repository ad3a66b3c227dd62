import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { SessionEvent, SessionEventSchema } from '../events/event.schema.js';
import { SessionOutbox } from '../sessions/session-outbox.js';
import { Session, SessionSchema } from '../sessions/session.schema.js';
import { FileDownloadsRepository } from './file-downloads.repository.js';
import { FileRepository } from './file.repository.js';
import { StoredFile, StoredFileSchema } from './file.schema.js';
import { MongooseFileDownloadsRepository } from './mongoose-file-downloads.repository.js';
import { MongooseFileRepository } from './mongoose-file.repository.js';
import { MongooseSessionFilesRepository } from './mongoose-session-files.repository.js';
import { SessionFilesRepository } from './session-files.repository.js';

/**
 * Files, and the file side of their session's document (reservations and file events). The
 * session and event models are registered here too (the connection reuses a model already
 * registered by SessionDatabaseModule), so this module stands on its own; file events go through
 * the same SessionOutbox as every other session event, which keeps them gapless.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: StoredFile.name, schema: StoredFileSchema },
      { name: Session.name, schema: SessionSchema },
      { name: SessionEvent.name, schema: SessionEventSchema },
    ]),
  ],
  providers: [
    SessionOutbox,
    { provide: FileRepository, useClass: MongooseFileRepository },
    { provide: FileDownloadsRepository, useClass: MongooseFileDownloadsRepository },
    { provide: SessionFilesRepository, useClass: MongooseSessionFilesRepository },
  ],
  exports: [FileRepository, FileDownloadsRepository, SessionFilesRepository],
})
export class FileDatabaseModule {}
