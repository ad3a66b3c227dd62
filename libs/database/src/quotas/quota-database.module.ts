import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { MongooseQuotaRepository } from './mongoose-quota.repository.js';
import { QuotaRepository } from './quota.repository.js';
import { QuotaDay, QuotaDaySchema } from './quota.schema.js';

@Module({
  imports: [MongooseModule.forFeature([{ name: QuotaDay.name, schema: QuotaDaySchema }])],
  providers: [{ provide: QuotaRepository, useClass: MongooseQuotaRepository }],
  exports: [QuotaRepository],
})
export class QuotaDatabaseModule {}
