import { Module } from '@nestjs/common';
import { HttpMetricsModule } from './http-metrics.module.js';
import { MetricsController } from './metrics.controller.js';

/**
 * `/metrics` (Prometheus) for both apps: default process metrics, the HTTP duration histogram
 * and whatever other libraries register on prom-client's default registry.
 */
@Module({ imports: [HttpMetricsModule], controllers: [MetricsController] })
export class MetricsModule {}
