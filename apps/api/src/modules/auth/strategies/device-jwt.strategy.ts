import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { DevicePrincipal } from '@app/common';
import { DeviceAccessService } from '../../device-access/index.js';
import { KeyRing } from '../keys/key-ring.js';
import { DEVICE_AUDIENCE, toDevicePrincipal } from '../tokens/token-claims.js';
import { jwtStrategyOptions } from './jwt-strategy-options.js';

export const DEVICE_JWT_STRATEGY = 'device-jwt';

/**
 * Verifies device access tokens (audience sharexpress:device), then that the device still stands:
 * one read of its session on every request (DeviceAccessService), so a revoked device or a closed
 * or expired session is refused at its very next request, on every replica.
 */
@Injectable()
export class DeviceJwtStrategy extends PassportStrategy(Strategy, DEVICE_JWT_STRATEGY) {
  constructor(
    keys: KeyRing,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly devices: DeviceAccessService,
  ) {
    super(jwtStrategyOptions(keys, config, DEVICE_AUDIENCE));
  }

  async validate(payload: unknown): Promise<DevicePrincipal | null> {
    const device = toDevicePrincipal(payload);
    if (device === null) return null;
    // A lookup failure (database down) propagates as an error, never as "authenticated".
    // The principal object returned here is the one the route sees, so the session read stays
    // attached to it (DeviceAccessService.sessionOf).
    return (await this.devices.authenticate(device)) ? device : null;
  }
}
