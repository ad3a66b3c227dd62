import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { ensureDefaultMetrics, recordHttpMetrics } from './http-metrics.js';
import { MetricsController } from './metrics.controller.js';

/**
 * `/metrics` (Prometheus) for both apps: default process metrics, the HTTP duration histogram
 * and whatever other libraries register on prom-client's default registry.
 */
@Module({ controllers: [MetricsController] })
export class MetricsModule implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    ensureDefaultMetrics();
    // Runs during app.init(), before Fastify is ready, so the hook can still be added.
    recordHttpMetrics(this.adapterHost.httpAdapter.getInstance<FastifyInstance>());
  }
}
