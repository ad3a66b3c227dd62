import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { ensureDefaultMetrics, recordHttpMetrics } from '@app/common';

/**
 * The API's metrics when OPS_PORT is set: the same process metrics and request histogram as
 * MetricsModule, without its /metrics route (the ops listener serves it). Not registering the
 * route, rather than refusing it in a hook, keeps PORT's request pipeline as it was.
 */
@Module({})
export class HttpMetricsModule implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    ensureDefaultMetrics();
    // During app.init(), before Fastify is ready, as MetricsModule does.
    recordHttpMetrics(this.adapterHost.httpAdapter.getInstance<FastifyInstance>());
  }
}
