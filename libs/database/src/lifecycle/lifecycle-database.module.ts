import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { SessionEvent, SessionEventSchema } from '../events/event.schema.js';
import { StoredFile, StoredFileSchema } from '../files/file.schema.js';
import { SessionOutbox } from '../sessions/session-outbox.js';
import { Session, SessionSchema } from '../sessions/session.schema.js';
import { FileLifecycleRepository } from './file-lifecycle.repository.js';
import { MongooseFileLifecycleRepository } from './mongoose-file-lifecycle.repository.js';
import { MongooseSessionLifecycleRepository } from './mongoose-session-lifecycle.repository.js';
import { SessionLifecycleRepository } from './session-lifecycle.repository.js';

/**
 * The worker's batch side of files and sessions. Registers the models it works on itself (the
 * connection reuses models already registered by the other modules), so it stands on its own;
 * session events go through the same SessionOutbox as every other change, which keeps them
 * gapless.
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
    { provide: FileLifecycleRepository, useClass: MongooseFileLifecycleRepository },
    { provide: SessionLifecycleRepository, useClass: MongooseSessionLifecycleRepository },
  ],
  exports: [FileLifecycleRepository, SessionLifecycleRepository],
})
export class LifecycleDatabaseModule {}
