import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import {
  MongooseRefreshTokenRepository,
  RefreshTokenRepository,
} from './refresh-token.repository.js';
import { RefreshToken, RefreshTokenSchema } from './refresh-token.schema.js';

@Module({
  imports: [MongooseModule.forFeature([{ name: RefreshToken.name, schema: RefreshTokenSchema }])],
  providers: [{ provide: RefreshTokenRepository, useClass: MongooseRefreshTokenRepository }],
  exports: [RefreshTokenRepository],
})
export class RefreshTokenDatabaseModule {}
