import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { DevicePrincipal } from '@app/common';
import { KeyRing } from '../keys/key-ring.js';
import { DEVICE_AUDIENCE, toDevicePrincipal } from '../tokens/token-claims.js';
import { DeviceAccessRegistry } from './device-access.registry.js';
import { jwtStrategyOptions } from './jwt-strategy-options.js';

export const DEVICE_JWT_STRATEGY = 'device-jwt';

/** Verifies device access tokens (audience sharexpress:device) and that the device still stands. */
@Injectable()
export class DeviceJwtStrategy extends PassportStrategy(Strategy, DEVICE_JWT_STRATEGY) {
  constructor(
    keys: KeyRing,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly devices: DeviceAccessRegistry,
  ) {
    super(jwtStrategyOptions(keys, config, DEVICE_AUDIENCE));
  }

  async validate(payload: unknown): Promise<DevicePrincipal | null> {
    const device = toDevicePrincipal(payload);
    if (device === null) return null;
    // A lookup failure (database down) propagates as an error, never as "authenticated".
    return (await this.devices.isActive(device)) ? device : null;
  }
}
