import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, type AppConfig } from '@app/config';
import { HealthModule, HttpMetricsModule, LoggingModule, MetricsModule } from '@app/common';
import { DatabaseHealthIndicator, DatabaseModule } from '@app/database';
import { StorageHealthIndicator, StorageModule } from '@app/storage';
import { AuthModule } from './modules/auth/auth.module.js';
import { LiveModule } from './modules/live/index.js';
import { FilesModule } from './modules/files/files.module.js';
import { PairingModule } from './modules/pairing/pairing.module.js';
import { QuotaModule } from './modules/quota/quota.module.js';
import { RateLimitModule } from './modules/rate-limit/index.js';
import { SessionsModule } from './modules/sessions/sessions.module.js';
import { WebModule } from './modules/web/index.js';
import { OpsListener } from './ops/ops-listener.js';

/** The API's root module, built from an already-validated config (see bootstrap.ts). */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        DatabaseModule.forRoot(),
        StorageModule.forRoot(),
        HealthModule.forRoot([
          { key: 'mongo', indicator: DatabaseHealthIndicator },
          { key: 'storage', indicator: StorageHealthIndicator },
        ]),
        // With OPS_PORT, /metrics is served by the ops listener only (bootstrap.ts).
        config.opsPort === null ? MetricsModule : HttpMetricsModule,
        // Before AuthModule and every module that imports it: global guards run in the order
        // their modules are scanned, and the rate limit must count requests before any auth.
        RateLimitModule,
        AuthModule,
        SessionsModule,
        PairingModule,
        FilesModule,
        QuotaModule,
        LiveModule,
        WebModule,
      ],
      providers: [OpsListener],
    };
  }
}
