import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

@Schema({ collection: 'login_attempts', versionKey: false })
export class LoginAttempt {
  /** The account key: a hash of the normalized email (no address is stored here). */
  @Prop({ type: String, required: true })
  _id!: string;

  /** Attempts counted since the last good login (each is counted before its password is checked). */
  @Prop({ type: Number, required: true })
  failures!: number;

  /** No password of this account is checked before this. */
  @Prop({ type: Date, required: true })
  nextAttemptAt!: Date;

  /** The count is forgotten after this, as if it had never been. */
  @Prop({ type: Date, required: true })
  expiresAt!: Date;
}

export const LoginAttemptSchema = SchemaFactory.createForClass(LoginAttempt);
// MongoDB drops a count once it is forgotten (readers also ignore one past expiresAt, since the
// TTL monitor runs only once a minute).
LoginAttemptSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
