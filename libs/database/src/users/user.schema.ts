import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

@Schema({ collection: 'users', timestamps: true, versionKey: false })
export class User {
  /** Normalized (trimmed, lower-case) by the caller; unique. */
  @Prop({ type: String, required: true })
  email!: string;

  /** Self-describing scrypt hash (`scrypt$N$r$p$salt$key`), never returned by the API. */
  @Prop({ type: String, required: true })
  passwordHash!: string;

  @Prop({ type: String, default: null })
  displayName!: string | null;

  createdAt!: Date;
  updatedAt!: Date;
}

export const UserSchema = SchemaFactory.createForClass(User);
// Login and registration look accounts up by email; uniqueness turns a double sign-up into E11000.
UserSchema.index({ email: 1 }, { unique: true });
