import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, type AppConfig } from '@app/config';
import { LoggingModule, MetricsModule } from '@app/common';

/**
 * Root module of the ops listener (OPS_PORT): /metrics from prom-client's process-wide registry,
 * which the API's own modules fill, and the logging the shared HTTP setup needs. No guards, no
 * database: nothing here depends on MongoDB or S3. The docs are added by ops-listener.ts.
 */
@Module({})
export class OpsModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: OpsModule,
      imports: [ConfigModule.forRoot(config), LoggingModule, MetricsModule],
    };
  }
}
