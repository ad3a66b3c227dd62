import { Module } from '@nestjs/common';
import { SessionDatabaseModule } from '@app/database';
import { DeviceAccessService } from './device-access.service.js';

/** The per-request device check used by the device token strategy (and the session reads). */
@Module({
  imports: [SessionDatabaseModule],
  providers: [DeviceAccessService],
  exports: [DeviceAccessService],
})
export class DeviceAccessModule {}
