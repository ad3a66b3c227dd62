// Test-only routes that exercise the global guards with every kind of declaration, mounted with
// startTestApp({ extraModules: [GuardProbeModule] }). Device tokens whose id starts with
// "revoked" are refused by the registered device check, as the pairing module will do for real.
import { Controller, Get, HttpCode, Module, Post, type OnModuleInit } from '@nestjs/common';
import {
  Auth,
  CurrentDevice,
  CurrentPrincipal,
  Permission,
  Permissions,
  type DevicePrincipal,
  type Principal,
} from '@app/common';
import { AuthModule } from '../../../apps/api/src/modules/auth/auth.module.js';
import { DeviceAccessRegistry } from '../../../apps/api/src/modules/auth/strategies/device-access.registry.js';

@Controller('auth-probe')
export class GuardProbeController {
  @Get('undeclared')
  undeclared(): { ok: true } {
    return { ok: true };
  }

  @Get('device')
  @Auth('device')
  device(@CurrentDevice() device: DevicePrincipal): DevicePrincipal {
    return device;
  }

  @Get('either')
  @Auth('user', 'device')
  either(@CurrentPrincipal() principal: Principal): { kind: string } {
    return { kind: principal.kind };
  }

  @Post('upload')
  @HttpCode(200)
  @Permissions(Permission.Upload)
  upload(@CurrentPrincipal() principal: Principal): { kind: string } {
    return { kind: principal.kind };
  }
}

@Module({ imports: [AuthModule], controllers: [GuardProbeController] })
export class GuardProbeModule implements OnModuleInit {
  constructor(private readonly devices: DeviceAccessRegistry) {}

  onModuleInit(): void {
    this.devices.register((device) => Promise.resolve(!device.deviceId.startsWith('revoked')));
  }
}
