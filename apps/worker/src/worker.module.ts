import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ConfigModule, type AppConfig } from '@app/config';
import { LoggingModule } from '@app/common';

/**
 * The worker: background jobs (cleanup, reconciliation; registered here as they land, each
 * behind a MongoDB lease so one replica runs it per tick) plus the same health and metrics
 * endpoints as the API, so orchestrators probe and scrape both alike.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [ConfigModule.forRoot(config), LoggingModule, ScheduleModule.forRoot()],
    };
  }
}
