// Test-only routes that exercise the global guards with every kind of declaration, mounted with
// startTestApp({ extraModules: [GuardProbeModule.withDevices(devices)] }). The device check it
// registers reads a list the test owns, the way the pairing module will read its sessions, so a
// test can revoke a device (or break the lookup) between two requests with the same token.
import {
  Controller,
  Get,
  HttpCode,
  Inject,
  Module,
  Post,
  type DynamicModule,
  type OnModuleInit,
} from '@nestjs/common';
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

/** What the registered device check consults: edited by the test between requests. */
export class ProbeDevices {
  readonly revoked = new Set<string>();
  /** Consulted calls, in order: proves the check runs on every request (no caching). */
  readonly checked: string[] = [];
  /** When set, the lookup fails with this error, as a database outage would. */
  failure: Error | undefined;
}

const PROBE_DEVICES = Symbol('PROBE_DEVICES');

@Module({})
export class GuardProbeModule implements OnModuleInit {
  constructor(
    private readonly registry: DeviceAccessRegistry,
    @Inject(PROBE_DEVICES) private readonly devices: ProbeDevices,
  ) {}

  static withDevices(devices: ProbeDevices): DynamicModule {
    return {
      module: GuardProbeModule,
      imports: [AuthModule],
      controllers: [GuardProbeController],
      providers: [{ provide: PROBE_DEVICES, useValue: devices }],
    };
  }

  onModuleInit(): void {
    this.registry.register((device) => {
      this.devices.checked.push(device.deviceId);
      if (this.devices.failure !== undefined) return Promise.reject(this.devices.failure);
      return Promise.resolve(!this.devices.revoked.has(device.deviceId));
    });
  }
}
