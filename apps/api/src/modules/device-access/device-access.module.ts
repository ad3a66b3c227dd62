import { Module } from '@nestjs/common';
import { DeviceAccessService } from './device-access.service.js';

/**
 * The per-request device check used by the device token strategy (and the session reads).
 * Needs SessionRepository and DeviceRepository (SessionDatabaseModule from `@app/database`).
 */
@Module({
  providers: [DeviceAccessService],
  exports: [DeviceAccessService],
})
export class DeviceAccessModule {}
