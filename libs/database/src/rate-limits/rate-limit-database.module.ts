import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { RateLimitRepository } from './rate-limit.repository.js';
import { RateLimit, RateLimitSchema } from './rate-limit.schema.js';

@Module({
  imports: [MongooseModule.forFeature([{ name: RateLimit.name, schema: RateLimitSchema }])],
  providers: [RateLimitRepository],
  exports: [RateLimitRepository],
})
export class RateLimitDatabaseModule {}
