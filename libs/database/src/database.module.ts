import { Global, Module, type DynamicModule } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { buildMongooseOptions, type DatabaseTuning } from './database-options.js';
import { DatabaseHealthIndicator } from './health/database-health.indicator.js';

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
          useFactory: (config: AppConfig) => buildMongooseOptions(config.mongo.uri, options.tuning),
        }),
      ],
      providers: [HealthIndicatorService, DatabaseHealthIndicator],
      exports: [DatabaseHealthIndicator],
    };
  }
}
