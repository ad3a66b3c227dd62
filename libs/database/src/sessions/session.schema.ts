import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';
import type { Permission } from '@app/common';
import type { DeviceStatus, EventData, StoredSessionStatus } from './session.types.js';

const SESSION_STATUSES: StoredSessionStatus[] = ['active', 'closed', 'expired'];
const DEVICE_STATUSES: DeviceStatus[] = ['pending', 'active', 'rejected', 'revoked'];

// `id: false`: these subdocuments have a real `id` field, not Mongoose's `_id` mirror.
@Schema({ _id: false, id: false, versionKey: false })
export class SessionLimitsDoc {
  @Prop({ type: Number, required: true })
  maxDevices!: number;

  @Prop({ type: Number, required: true })
  maxFiles!: number;

  @Prop({ type: Number, required: true })
  maxTotalBytes!: number;

  @Prop({ type: Number, required: true })
  maxFileBytes!: number;

  @Prop({ type: Number, required: true })
  maxDownloadsPerFile!: number;
}
const SessionLimitsSchema = SchemaFactory.createForClass(SessionLimitsDoc);

@Schema({ _id: false, id: false, versionKey: false })
export class SessionStatsDoc {
  @Prop({ type: Number, required: true, default: 0 })
  files!: number;

  @Prop({ type: Number, required: true, default: 0 })
  bytes!: number;

  /** Pending + active devices: what `limits.maxDevices` bounds. */
  @Prop({ type: Number, required: true, default: 0 })
  devices!: number;
}
const SessionStatsSchema = SchemaFactory.createForClass(SessionStatsDoc);

@Schema({ _id: false, id: false, versionKey: false })
export class DeviceDoc {
  /** Public id of the device (newPublicId()), unique within its session. */
  @Prop({ type: String, required: true })
  id!: string;

  @Prop({ type: String, required: true })
  name!: string;

  @Prop({ type: String, default: null })
  userAgent!: string | null;

  @Prop({ type: String, required: true, enum: DEVICE_STATUSES })
  status!: DeviceStatus;

  @Prop({ type: [String], default: [] })
  permissions!: Permission[];

  @Prop({ type: String, required: true })
  pairingId!: string;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Date, default: null })
  lastSeenAt!: Date | null;

  @Prop({ type: Date, default: null })
  decidedAt!: Date | null;
}
const DeviceSchema = SchemaFactory.createForClass(DeviceDoc);

/**
 * An event whose state change committed with the session document but that is not copied into
 * `events` yet. Its seq is implied by its position: the outbox always holds the session's last
 * `outbox.length` events, in order (see SessionOutbox).
 */
@Schema({ _id: false, id: false, versionKey: false })
export class OutboxEntryDoc {
  /** Random; what the flush pulls the entry by once it is in `events`. */
  @Prop({ type: String, required: true })
  id!: string;

  @Prop({ type: String, required: true })
  type!: string;

  @Prop({ type: Date, required: true })
  at!: Date;

  @Prop({ type: MongooseSchema.Types.Mixed, default: {} })
  data!: EventData;
}
const OutboxEntrySchema = SchemaFactory.createForClass(OutboxEntryDoc);

@Schema({ collection: 'sessions', versionKey: false })
export class Session {
  /** The public id (newPublicId()): random, never an ObjectId. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  ownerId!: string;

  @Prop({ type: String, required: true })
  name!: string;

  /** `active` past `expiresAt` reads as expired: every conditional write checks both. */
  @Prop({ type: String, required: true, enum: SESSION_STATUSES })
  status!: StoredSessionStatus;

  @Prop({ type: [String], default: [] })
  guestPermissions!: Permission[];

  @Prop({ type: Boolean, required: true })
  requireApproval!: boolean;

  /** Fixed at creation (device adds rely on reading maxDevices before their update). */
  @Prop({ type: SessionLimitsSchema, required: true })
  limits!: SessionLimitsDoc;

  @Prop({ type: SessionStatsSchema, required: true })
  stats!: SessionStatsDoc;

  /** Every device ever claimed, bounded by max(4 × limits.maxDevices, 20) (the add's filter). */
  @Prop({ type: [DeviceSchema], default: [] })
  devices!: DeviceDoc[];

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Date, required: true })
  expiresAt!: Date;

  @Prop({ type: Date, default: null })
  closedAt!: Date | null;

  /** Sequence number of the latest event; each state change increments it by exactly one. */
  @Prop({ type: Number, required: true })
  seq!: number;

  @Prop({ type: [OutboxEntrySchema], default: [] })
  outbox!: OutboxEntryDoc[];

  /**
   * Ended sessions: when the worker purged their files (objects and records); null before (and
   * absent on older documents). Internal to the worker's bookkeeping, not part of SessionRecord.
   */
  @Prop({ type: Date, default: null })
  filesPurgedAt!: Date | null;
}

export const SessionSchema = SchemaFactory.createForClass(Session);
// GET /v1/sessions: the owner's sessions newest first, keyset-paginated on (createdAt, _id).
SessionSchema.index({ ownerId: 1, createdAt: -1, _id: -1 });
// expireDue (active sessions past expiresAt, soonest first); also the countActive gauge.
SessionSchema.index({ status: 1, expiresAt: 1 });
// findEndedUnpurged (ended, filesPurgedAt null, by _id) and findPrunable (ended, purged before a
// date): status ($in closed/expired) and filesPurgedAt bound the scan, _id orders it.
SessionSchema.index({ status: 1, filesPurgedAt: 1, _id: 1 });
