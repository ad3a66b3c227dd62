import {
  Global,
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { StorageHealthIndicator } from './health/storage-health.indicator.js';
import { PRESIGNER } from './presign/presigner.js';
import { StoragePolicy, type StoragePolicyOptions } from './resilience/storage-policy.js';
import { createStorage, type Storage } from './storage.factory.js';
import { StorageService } from './storage.service.js';

const STORAGE = Symbol('STORAGE');

/**
 * Storage for the whole application: StorageService, PRESIGNER (Presigner),
 * StoragePolicy and StorageHealthIndicator, built once from `APP_CONFIG.s3`.
 */
@Global()
@Module({})
export class StorageModule implements OnApplicationShutdown {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  /** `policy` overrides the resilience defaults (tests use short half-open delays). */
  static forRoot(options: { policy?: Partial<StoragePolicyOptions> } = {}): DynamicModule {
    return {
      module: StorageModule,
      providers: [
        {
          provide: STORAGE,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig): Storage => createStorage(config.s3, options.policy),
        },
        { provide: StorageService, inject: [STORAGE], useFactory: (s: Storage) => s.service },
        { provide: StoragePolicy, inject: [STORAGE], useFactory: (s: Storage) => s.policy },
        { provide: PRESIGNER, inject: [STORAGE], useFactory: (s: Storage) => s.presigner },
        HealthIndicatorService,
        StorageHealthIndicator,
      ],
      exports: [StorageService, StoragePolicy, PRESIGNER, StorageHealthIndicator],
    };
  }

  onApplicationShutdown(): void {
    // Closes the keep-alive sockets so the process can exit.
    this.storage.close();
  }
}
