import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

@Schema({ collection: 'rate_limits', versionKey: false })
export class RateLimit {
  /** The throttler key (a hash of throttler, route and client). */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: Number, required: true })
  hits!: number;

  @Prop({ type: Date, required: true })
  windowEndsAt!: Date;

  @Prop({ type: Date, default: null })
  blockedUntil!: Date | null;

  /** Latest of windowEndsAt and blockedUntil: the record is useless after that. */
  @Prop({ type: Date, required: true })
  expiresAt!: Date;
}

export const RateLimitSchema = SchemaFactory.createForClass(RateLimit);
// MongoDB drops counters whose window and block have both ended.
RateLimitSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
