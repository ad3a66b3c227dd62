import { Module } from '@nestjs/common';
import { QuotaDatabaseModule } from '@app/database';
import { QuotaController } from './quota.controller.js';
import { QuotaService } from './quota.service.js';

/** GET /v1/quota: the caller's daily upload quota. */
@Module({
  imports: [QuotaDatabaseModule],
  controllers: [QuotaController],
  providers: [QuotaService],
})
export class QuotaModule {}
