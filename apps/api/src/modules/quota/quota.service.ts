import { Inject, Injectable } from '@nestjs/common';
import type { UserPrincipal } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { QuotaRepository } from '@app/database';
import { nextUtcDayStart, utcDay } from '../files/index.js';
import type { QuotaResponse } from './quota.response.js';

/** The caller's daily quota: charged to a session's owner whoever uploads, per UTC day. */
@Injectable()
export class QuotaService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly quotas: QuotaRepository,
  ) {}

  async get(user: UserPrincipal): Promise<QuotaResponse> {
    const now = new Date();
    const usage = await this.quotas.usage(user.userId, utcDay(now));
    return {
      day: usage.day,
      files: { used: usage.files, limit: this.config.quota.dailyFiles },
      bytes: { used: usage.bytes, limit: this.config.quota.dailyBytes },
      resetsAt: nextUtcDayStart(now).toISOString(),
    };
  }
}
