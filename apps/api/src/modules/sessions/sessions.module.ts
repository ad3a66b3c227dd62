import { Module } from '@nestjs/common';
import { SessionDatabaseModule } from '@app/database';
import { DeviceAccessModule } from '../device-access/index.js';
import { ActivityController } from './activity.controller.js';
import { ActivityService } from './activity.service.js';
import { SessionAccessService } from './session-access.service.js';
import { SessionMetrics } from './session-metrics.js';
import { SessionsController } from './sessions.controller.js';
import { SessionsService } from './sessions.service.js';

/**
 * Sessions: create, list, read, extend, close, and their activity. Exports SessionAccessService,
 * the ownership / device-of-session / liveness checks of every route under a session.
 */
@Module({
  imports: [SessionDatabaseModule, DeviceAccessModule],
  controllers: [SessionsController, ActivityController],
  providers: [SessionsService, ActivityService, SessionAccessService, SessionMetrics],
  exports: [SessionAccessService],
})
export class SessionsModule {}
