import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { LivenessRoute } from './liveness.js';
import {
  READINESS_PROBES,
  type ReadinessCheck,
  type ReadinessIndicator,
  type ReadinessProbe,
} from './readiness.js';

/**
 * `/health/live` (a Fastify route of its own: LivenessRoute) and `/health/ready` for both apps.
 * The indicators come from globally provided modules, e.g. `HealthModule.forRoot([{ key:
 * 'mongo', indicator: DatabaseHealthIndicator }, { key: 'storage', indicator:
 * StorageHealthIndicator }])`.
 */
@Module({})
export class HealthModule {
  static forRoot(checks: readonly ReadinessCheck[]): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
      controllers: [HealthController],
      providers: [
        LivenessRoute,
        {
          provide: READINESS_PROBES,
          inject: checks.map((check) => check.indicator),
          useFactory: (...indicators: ReadinessIndicator[]): ReadinessProbe[] =>
            checks.map((check, i) => ({
              key: check.key,
              indicator: indicators[i],
            })),
        },
      ],
    };
  }
}
