// Test-only routes that exercise the global guards with every kind of declaration, mounted with
// startTestApp({ extraModules: [GuardProbeModule] }). Devices stand the real way: `ProbeSessions`
// (get it with `t.app.get(ProbeSessions)`) creates a session and an active device in the app's
// database through the real repositories, and revokes or closes them through the same, so the
// device token strategy's check reads exactly what the pairing routes will write.
import { Controller, Get, HttpCode, Injectable, Module, Post } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { randomBytes } from 'node:crypto';
import {
  Auth,
  CurrentDevice,
  CurrentPrincipal,
  newPublicId,
  Permission,
  Permissions,
  type DevicePrincipal,
  type Principal,
} from '@app/common';
import {
  DeviceRepository,
  SessionDatabaseModule,
  SessionRepository,
  type SessionRecord,
} from '@app/database';
import { AuthModule } from '../../../apps/api/src/modules/auth/auth.module.js';
import { AccessTokenService } from '../../../apps/api/src/modules/auth/tokens/access-token.service.js';
import {
  DeviceAccessModule,
  DeviceAccessService,
} from '../../../apps/api/src/modules/device-access/index.js';

// Out of the shared rate limit, so a probe request's first database read is the device check
// (the outage test relies on that) and many requests never hit 429.
@SkipThrottle()
@Controller('auth-probe')
export class GuardProbeController {
  constructor(private readonly access: DeviceAccessService) {}

  @Get('undeclared')
  undeclared(): { ok: true } {
    return { ok: true };
  }

  @Get('device')
  @Auth('device')
  device(@CurrentDevice() device: DevicePrincipal): DevicePrincipal {
    return device;
  }

  /** What the strategy's check read for this very request (no second read). */
  @Get('device/session')
  @Auth('device')
  deviceSession(@CurrentDevice() device: DevicePrincipal): {
    sessionId: string | null;
    deviceStatus: string | null;
  } {
    const session = this.access.sessionOf(device);
    return {
      sessionId: session?.id ?? null,
      deviceStatus: session?.devices.find((d) => d.id === device.deviceId)?.status ?? null,
    };
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

export interface StandingDevice {
  ownerId: string;
  sessionId: string;
  deviceId: string;
  expiresAt: Date;
  /** A device token for it, valid until the session expires. */
  token: string;
}

const LIMITS = {
  maxDevices: 4,
  maxFiles: 10,
  maxTotalBytes: 1_000_000,
  maxFileBytes: 100_000,
  maxDownloadsPerFile: 5,
};

/** Sessions and devices in the app's own database, through the real repositories. */
@Injectable()
export class ProbeSessions {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly devices: DeviceRepository,
    private readonly tokens: AccessTokenService,
  ) {}

  /** A new session (its own random owner) with one active device, and that device's token. */
  async standingDevice(permissions: Permission[] = [], ttlSeconds = 3600): Promise<StandingDevice> {
    const now = new Date();
    const ownerId = randomBytes(12).toString('hex');
    const session = await this.sessions.create(
      {
        id: newPublicId(),
        ownerId,
        name: 'Probe session',
        guestPermissions: permissions,
        requireApproval: false,
        limits: LIMITS,
        createdAt: now,
        expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
      },
      { type: 'session.created', data: {} },
    );
    const deviceId = newPublicId();
    const added = await this.devices.add(
      session.id,
      {
        id: deviceId,
        name: 'Probe device',
        userAgent: null,
        status: 'active',
        permissions,
        pairingId: newPublicId(),
        createdAt: now,
      },
      now,
      { type: 'device.claimed', data: { deviceId } },
    );
    if (!added.ok) throw new Error(`probe device not added: ${added.reason}`);
    const signed = await this.tokens.signDeviceToken({
      deviceId,
      sessionId: session.id,
      permissions,
      notAfter: session.expiresAt,
    });
    return {
      ownerId,
      sessionId: session.id,
      deviceId,
      expiresAt: session.expiresAt,
      token: signed.token,
    };
  }

  async revoke(device: StandingDevice): Promise<void> {
    const done = await this.devices.transition(
      device.ownerId,
      device.sessionId,
      device.deviceId,
      ['active'],
      'revoked',
      new Date(),
      { type: 'device.revoked', data: { deviceId: device.deviceId } },
      false,
    );
    if (done === null) throw new Error('probe device not revoked');
  }

  async close(device: StandingDevice): Promise<void> {
    const done = await this.sessions.close(device.ownerId, device.sessionId, new Date(), {
      type: 'session.closed',
      data: {},
    });
    if (done === null) throw new Error('probe session not closed');
  }

  find(sessionId: string): Promise<SessionRecord | null> {
    return this.sessions.findById(sessionId);
  }
}

@Module({
  imports: [AuthModule, DeviceAccessModule, SessionDatabaseModule],
  controllers: [GuardProbeController],
  providers: [ProbeSessions],
})
export class GuardProbeModule {}
