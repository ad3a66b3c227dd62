import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { SessionOutbox } from '../sessions/session-outbox.js';
import { Session, SessionSchema } from '../sessions/session.schema.js';
import { EventTail } from './event-tail.js';
import { SessionEvent, SessionEventSchema } from './event.schema.js';
import { MongooseEventTail } from './mongoose-event-tail.js';

/**
 * The live-updates tail (EventTail). Its own SessionOutbox instance (its only state coalesces
 * the flushes after changes, which the tail makes none of) flushes a session whose events show a
 * gap, as EventRepository.list does before each page.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Session.name, schema: SessionSchema },
      { name: SessionEvent.name, schema: SessionEventSchema },
    ]),
  ],
  providers: [SessionOutbox, { provide: EventTail, useClass: MongooseEventTail }],
  exports: [EventTail],
})
export class EventTailModule {}
