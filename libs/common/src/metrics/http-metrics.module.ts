import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { ensureDefaultMetrics, recordHttpMetrics } from './http-metrics.js';

/**
 * The metrics of one HTTP app without a /metrics route: the default process metrics and the
 * request histogram, recorded on the app that imports it. The API imports it alone when
 * OPS_PORT serves /metrics elsewhere: not registering the route, rather than refusing it in a
 * hook, keeps PORT's request pipeline as it was.
 */
@Module({})
export class HttpMetricsModule implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    ensureDefaultMetrics();
    // Runs during app.init(), before Fastify is ready, so the hook can still be added.
    recordHttpMetrics(this.adapterHost.httpAdapter.getInstance<FastifyInstance>());
  }
}
