import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { EventRepository } from '../events/event.repository.js';
import { SessionEvent, SessionEventSchema } from '../events/event.schema.js';
import { MongooseEventRepository } from '../events/mongoose-event.repository.js';
import { DeviceRepository } from './device.repository.js';
import { MongooseDeviceRepository } from './mongoose-device.repository.js';
import { MongooseSessionRepository } from './mongoose-session.repository.js';
import { SessionOutbox } from './session-outbox.js';
import { SessionRepository } from './session.repository.js';
import { Session, SessionSchema } from './session.schema.js';

/**
 * Sessions with their embedded devices, and their events: one module, since every session or
 * device change also writes the session's events (through the shared outbox).
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Session.name, schema: SessionSchema },
      { name: SessionEvent.name, schema: SessionEventSchema },
    ]),
  ],
  providers: [
    SessionOutbox,
    { provide: SessionRepository, useClass: MongooseSessionRepository },
    { provide: DeviceRepository, useClass: MongooseDeviceRepository },
    { provide: EventRepository, useClass: MongooseEventRepository },
  ],
  exports: [SessionRepository, DeviceRepository, EventRepository],
})
export class SessionDatabaseModule {}
