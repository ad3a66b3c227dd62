import { Module } from '@nestjs/common';
import { EventTailModule } from '@app/database';
import { SessionsModule } from '../sessions/index.js';
import { LiveController } from './live.controller.js';
import { LiveHub } from './live-hub.js';
import { LiveMetrics } from './live-metrics.js';
import { LiveService } from './live.service.js';

/**
 * Live updates: GET /v1/sessions/:sessionId/events (Server-Sent Events), fed from the `events`
 * collection by one process-wide hub (one tail query per tick for all open streams), so it
 * works across replicas with no other infrastructure.
 */
@Module({
  imports: [SessionsModule, EventTailModule],
  controllers: [LiveController],
  providers: [LiveHub, LiveService, LiveMetrics],
})
export class LiveModule {}
