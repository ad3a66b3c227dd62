import { Global, Logger, Module, type DynamicModule } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { buildMongooseOptions, type DatabaseTuning } from './database-options.js';
import { DatabaseHealthIndicator } from './health/database-health.indicator.js';
import { installDriverWriteGuard } from './health/driver-write-guard.js';

/**
 * The application's MongoDB connection (from `APP_CONFIG.mongo.uri`) and its health indicator.
 * Entity modules register their schemas with `MongooseModule.forFeature` on this connection.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: { tuning?: Partial<DatabaseTuning> } = {}): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        MongooseModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => {
            // Before the first connection: without it, a server that closes every connection at
            // once can leave the driver's monitor hung and the process unready for good.
            if (!installDriverWriteGuard()) {
              new Logger(DatabaseModule.name).warn(
                'mongodb driver internals changed: the closed-socket write guard is not installed',
              );
            }
            return buildMongooseOptions(config.mongo.uri, options.tuning);
          },
        }),
      ],
      providers: [HealthIndicatorService, DatabaseHealthIndicator],
      exports: [DatabaseHealthIndicator],
    };
  }
}
