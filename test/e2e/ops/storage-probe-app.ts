// A test-only stand-in for a product route that touches storage: none exists yet at this stage
// (files routes come later), so fault tests mount this one controller next to the worker's real
// modules (config, storage, health, problem+json filter) and call it over HTTP.
import { Controller, Get, Inject, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '@app/config';
import { configureHttpApp, createFastifyAdapter, HTTP_APP_OPTIONS } from '@app/common';
import { StorageService } from '@app/storage';
import { WorkerModule } from '../../../apps/worker/src/worker.module.js';

@Controller('test-storage')
class StorageProbeController {
  constructor(@Inject(StorageService) private readonly storage: StorageService) {}

  /** HEAD of one object: `{ exists }`, or the storage error mapped by the global filter. */
  @Get('objects/:key')
  async head(@Param('key') key: string): Promise<{ exists: boolean }> {
    return { exists: (await this.storage.headObject(`ops-test/${key}`)) !== null };
  }
}

export interface StorageProbeApp {
  baseUrl: string;
  app: NestFastifyApplication;
  close(): Promise<void>;
}

export async function startStorageProbeApp(config: AppConfig): Promise<StorageProbeApp> {
  @Module({ imports: [WorkerModule.forRoot(config)], controllers: [StorageProbeController] })
  class StorageProbeModule {}

  // The worker's own HTTP setup (createWorkerApp), plus the probe controller.
  const app = await NestFactory.create<NestFastifyApplication>(
    StorageProbeModule,
    createFastifyAdapter(config),
    HTTP_APP_OPTIONS,
  );
  try {
    configureHttpApp(app, config);
    await app.listen(0, '127.0.0.1');
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return { baseUrl: `http://127.0.0.1:${String(address.port)}`, app, close: () => app.close() };
}
