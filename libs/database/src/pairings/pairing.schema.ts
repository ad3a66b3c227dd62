import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

@Schema({ _id: false, id: false, versionKey: false })
export class PairingPollDoc {
  /** SHA-256 (hex) of the poll secret handed to the pending device; unique while present. */
  @Prop({ type: String, required: true })
  secretHash!: string;

  @Prop({ type: Date, required: true })
  expiresAt!: Date;

  @Prop({ type: Number, required: true })
  intervalSeconds!: number;

  @Prop({ type: Date, default: null })
  lastPolledAt!: Date | null;

  @Prop({ type: Date, default: null })
  completedAt!: Date | null;
}
const PairingPollSchema = SchemaFactory.createForClass(PairingPollDoc);

@Schema({ collection: 'pairings', versionKey: false })
export class Pairing {
  /** The public id (newPublicId()). */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  sessionId!: string;

  @Prop({ type: String, required: true })
  ownerId!: string;

  /** SHA-256 (hex) of the pairing secret; the secret itself is never stored. */
  @Prop({ type: String, required: true })
  secretHash!: string;

  /** HMAC-SHA-256 (hex) of the normalized code under a server key. */
  @Prop({ type: String, required: true })
  codeHash!: string;

  /** Random and not secret by itself: the secret is HMAC(server key, id + nonce), never stored. */
  @Prop({ type: String })
  nonce?: string;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Date, required: true })
  expiresAt!: Date;

  @Prop({ type: Date, default: null })
  claimedAt!: Date | null;

  @Prop({ type: String, default: null })
  deviceId!: string | null;

  /** Set by a claim that left its device pending (approval required). */
  @Prop({ type: PairingPollSchema, default: null })
  poll!: PairingPollDoc | null;

  /** When MongoDB may delete it: expiresAt, or later while a pending device may still poll. */
  @Prop({ type: Date, required: true })
  purgeAt!: Date;
}

export const PairingSchema = SchemaFactory.createForClass(Pairing);
// Claim by secret (the QR code's URL fragment): one pairing per secret.
PairingSchema.index({ secretHash: 1 }, { unique: true });
// Claim by typed code; a code still stored is refused on create (CONFLICT → new code).
PairingSchema.index({ codeHash: 1 }, { unique: true });
// Poll by the poll secret of a pending claim; only pairings that have one are indexed.
PairingSchema.index(
  { 'poll.secretHash': 1 },
  { unique: true, partialFilterExpression: { 'poll.secretHash': { $exists: true } } },
);
// MongoDB deletes a pairing once neither its claim nor its poll can be used any more.
PairingSchema.index({ purgeAt: 1 }, { expireAfterSeconds: 0 });
