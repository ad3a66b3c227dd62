import { Module } from '@nestjs/common';
import { PairingDatabaseModule, SessionDatabaseModule } from '@app/database';
import { AuthModule } from '../auth/index.js';
import { DeviceAccessModule } from '../device-access/index.js';
import { SessionsModule } from '../sessions/index.js';
import { ClaimService } from './claim.service.js';
import { ClaimsController } from './claims.controller.js';
import { DeviceGrantsService } from './device-grants.service.js';
import { DevicesController } from './devices.controller.js';
import { DevicesService } from './devices.service.js';
import { PairingMetrics } from './pairing-metrics.js';
import { PairingService } from './pairing.service.js';
import { PairingsController } from './pairings.controller.js';
import { PollService } from './poll.service.js';

/**
 * Pairing a second device into a session: pairings and their QR codes (owner), claims and
 * RFC 8628 polls (anyone, rate-limited), the owner's device decisions and device token refresh.
 */
@Module({
  imports: [
    SessionDatabaseModule,
    PairingDatabaseModule,
    AuthModule,
    DeviceAccessModule,
    SessionsModule,
  ],
  controllers: [PairingsController, ClaimsController, DevicesController],
  providers: [
    PairingService,
    ClaimService,
    PollService,
    DevicesService,
    DeviceGrantsService,
    PairingMetrics,
  ],
})
export class PairingModule {}
