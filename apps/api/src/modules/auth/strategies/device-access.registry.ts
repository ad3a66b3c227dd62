import { Injectable } from '@nestjs/common';
import type { DevicePrincipal } from '@app/common';

/** Answers whether a device token still stands (device active, session open). */
export type DeviceAccessCheck = (device: DevicePrincipal) => Promise<boolean>;

/**
 * The pairing module registers its device check here. Until one is registered every device
 * token is refused: a signature alone never proves the device has not been revoked.
 */
@Injectable()
export class DeviceAccessRegistry {
  private check: DeviceAccessCheck | undefined;

  register(check: DeviceAccessCheck): void {
    this.check = check;
  }

  async isActive(device: DevicePrincipal): Promise<boolean> {
    return this.check === undefined ? false : this.check(device);
  }
}
