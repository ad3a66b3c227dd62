import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { MongooseRateLimitRepository, RateLimitRepository } from './rate-limit.repository.js';
import { RateLimit, RateLimitSchema } from './rate-limit.schema.js';

@Module({
  imports: [MongooseModule.forFeature([{ name: RateLimit.name, schema: RateLimitSchema }])],
  providers: [{ provide: RateLimitRepository, useClass: MongooseRateLimitRepository }],
  exports: [RateLimitRepository],
})
export class RateLimitDatabaseModule {}
