import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

@Schema({
  collection: 'refresh_tokens',
  timestamps: { createdAt: true, updatedAt: false },
  versionKey: false,
})
export class RefreshToken {
  @Prop({ type: String, required: true })
  userId!: string;

  /** Every rotation of one login shares a family; reuse of a spent token revokes all of it. */
  @Prop({ type: String, required: true })
  familyId!: string;

  /** SHA-256 (hex) of the opaque token; the token itself is never stored. */
  @Prop({ type: String, required: true })
  tokenHash!: string;

  @Prop({ type: Date, required: true })
  expiresAt!: Date;

  @Prop({ type: Date, default: null })
  usedAt!: Date | null;

  @Prop({ type: Date, default: null })
  revokedAt!: Date | null;

  createdAt!: Date;
}

export const RefreshTokenSchema = SchemaFactory.createForClass(RefreshToken);
// Refresh and logout find the presented token by its hash.
RefreshTokenSchema.index({ tokenHash: 1 }, { unique: true });
// Reuse detection and logout revoke a whole family.
RefreshTokenSchema.index({ familyId: 1 });
// MongoDB deletes tokens once they expire.
RefreshTokenSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
