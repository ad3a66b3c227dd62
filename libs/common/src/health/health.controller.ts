import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/public.decorator.js';
import {
  NOT_READY_RETRY_AFTER_SECONDS,
  READINESS_PROBES,
  READINESS_TIMEOUT_MS,
  type ReadinessProbe,
} from './readiness.js';

/** /health/ready. Liveness (/health/live) is a Fastify route of its own: liveness.ts. */
@ApiTags('operations')
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(READINESS_PROBES) private readonly probes: readonly ReadinessProbe[],
  ) {}

  /** 200 when every dependency answers, else 503 (Terminus format) within a bounded time. */
  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: 200 when MongoDB and storage answer, else 503' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.health.check(this.probes.map((probe) => () => this.bounded(probe)));
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      // The Terminus body (which dependency is down), not a problem+json: probes read it.
      void reply.status(503).header('retry-after', String(NOT_READY_RETRY_AFTER_SECONDS));
      return err.getResponse() as HealthCheckResult;
    }
  }

  private async bounded({ key, indicator }: ReadinessProbe) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${String(READINESS_TIMEOUT_MS)} ms`)),
        READINESS_TIMEOUT_MS,
      );
    });
    try {
      return await Promise.race([indicator.isHealthy(key), timeout]);
    } catch (err) {
      const message = err instanceof Error ? err.message : 'check failed';
      return { [key]: { status: 'down' as const, message } };
    } finally {
      clearTimeout(timer);
    }
  }
}
