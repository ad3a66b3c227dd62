import { Injectable } from '@nestjs/common';
import type { DeviceRecord, SessionRecord } from '@app/database';
import { AccessTokenService } from '../auth/index.js';
import { toSessionResponse } from '../sessions/index.js';
import type { ActiveClaimResponse, DeviceTokenResponse } from './dto/claim.response.js';
import { toDeviceResponse } from './dto/device.response.js';

/** Device tokens and the active-claim answer shared by claim, poll and token refresh. */
@Injectable()
export class DeviceGrantsService {
  constructor(private readonly tokens: AccessTokenService) {}

  /** A token for `device` of `session`, with its frozen permissions, expiring with the session. */
  async token(
    session: SessionRecord,
    device: DeviceRecord,
    now: Date,
  ): Promise<DeviceTokenResponse> {
    const signed = await this.tokens.signDeviceToken(
      {
        deviceId: device.id,
        sessionId: session.id,
        permissions: device.permissions,
        notAfter: session.expiresAt,
      },
      now,
    );
    return {
      accessToken: signed.token,
      tokenType: 'Bearer',
      expiresAt: signed.expiresAt.toISOString(),
    };
  }

  async activeClaim(
    session: SessionRecord,
    device: DeviceRecord,
    now: Date,
  ): Promise<ActiveClaimResponse> {
    return {
      status: 'active',
      ...(await this.token(session, device, now)),
      device: toDeviceResponse(device),
      session: toSessionResponse(session, now),
    };
  }
}
