import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** One owner's usage on one UTC day. */
@Schema({ collection: 'quota_days', versionKey: false })
export class QuotaDay {
  /** `<ownerId>:<YYYY-MM-DD>`: the upsert's key, so each owner has one document per day. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  ownerId!: string;

  /** UTC day, YYYY-MM-DD. */
  @Prop({ type: String, required: true })
  day!: string;

  /** Files reserved (declared and not given back). */
  @Prop({ type: Number, required: true })
  files!: number;

  @Prop({ type: Number, required: true })
  bytes!: number;

  /** The day's end + 2 days: no reservation or release refers to the day after that. */
  @Prop({ type: Date, required: true })
  purgeAt!: Date;
}

export const QuotaDaySchema = SchemaFactory.createForClass(QuotaDay);
// MongoDB drops a day's usage once it can no longer be reserved against or released.
QuotaDaySchema.index({ purgeAt: 1 }, { expireAfterSeconds: 0 });
