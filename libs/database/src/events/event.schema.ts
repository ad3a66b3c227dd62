import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';
import type { EventData } from '../sessions/session.types.js';

// Named SessionEvent: `Event` is a global (DOM) class in Node's typings.
@Schema({ collection: 'events', versionKey: false })
export class SessionEvent {
  @Prop({ type: String, required: true })
  sessionId!: string;

  /** 1, 2, 3 … per session, no gaps (allocated by the session document's `seq`). */
  @Prop({ type: Number, required: true })
  seq!: number;

  @Prop({ type: String, required: true })
  type!: string;

  @Prop({ type: Date, required: true })
  at!: Date;

  /** Safe data only: never a secret, hash or token. */
  @Prop({ type: MongooseSchema.Types.Mixed, default: {} })
  data!: EventData;
}

export const SessionEventSchema = SchemaFactory.createForClass(SessionEvent);
// EventRepository.list (a session's events after a seq, oldest first) and EventTail.read (the
// same range for each of many sessions in one $or, sorted by session then seq); uniqueness makes the copy
// from a session's outbox idempotent (a second copy of an event is an ignored E11000).
SessionEventSchema.index({ sessionId: 1, seq: 1 }, { unique: true });
