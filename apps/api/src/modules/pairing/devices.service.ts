import { Injectable } from '@nestjs/common';
import { AppError, isPublicId, type DevicePrincipal, type UserPrincipal } from '@app/common';
import {
  DeviceRepository,
  SessionRepository,
  type DeviceStatus,
  type SessionRecord,
} from '@app/database';
import { DeviceAccessService } from '../device-access/index.js';
import { effectiveStatus, SessionAccessService } from '../sessions/index.js';
import type { DeviceTokenResponse } from './dto/claim.response.js';
import {
  toDeviceResponse,
  type DeviceListResponse,
  type DeviceResponse,
} from './dto/device.response.js';
import { DeviceGrantsService } from './device-grants.service.js';
import { deviceNotFound, wrongDeviceState } from './pairing.errors.js';

interface Decision {
  from: DeviceStatus[];
  to: DeviceStatus;
  /** Past participle, for the event type and the 409 message. */
  done: 'approved' | 'rejected' | 'revoked';
  /** Approving adds a working device: only on a live session. */
  requireLiveSession: boolean;
}

const APPROVE: Decision = {
  from: ['pending'],
  to: 'active',
  done: 'approved',
  requireLiveSession: true,
};
const REJECT: Decision = {
  from: ['pending'],
  to: 'rejected',
  done: 'rejected',
  requireLiveSession: false,
};
const REVOKE: Decision = {
  from: ['pending', 'active'],
  to: 'revoked',
  done: 'revoked',
  requireLiveSession: false,
};

/** The owner's view of a session's devices and decisions on them; device token refresh. */
@Injectable()
export class DevicesService {
  constructor(
    private readonly access: SessionAccessService,
    private readonly devices: DeviceRepository,
    private readonly sessions: SessionRepository,
    private readonly deviceAccess: DeviceAccessService,
    private readonly grants: DeviceGrantsService,
  ) {}

  async list(user: UserPrincipal, sessionId: string): Promise<DeviceListResponse> {
    const session = await this.access.owned(user, sessionId);
    return { items: session.devices.map(toDeviceResponse), nextCursor: null };
  }

  approve(user: UserPrincipal, sessionId: string, deviceId: string): Promise<DeviceResponse> {
    return this.decide(user, sessionId, deviceId, APPROVE);
  }

  reject(user: UserPrincipal, sessionId: string, deviceId: string): Promise<DeviceResponse> {
    return this.decide(user, sessionId, deviceId, REJECT);
  }

  async revoke(user: UserPrincipal, sessionId: string, deviceId: string): Promise<void> {
    await this.decide(user, sessionId, deviceId, REVOKE);
  }

  /** A fresh token for the calling device, up to its session's current expiry. */
  async token(principal: DevicePrincipal): Promise<DeviceTokenResponse> {
    const now = new Date();
    // The guard's read of the session (DeviceAccessService) is reused: no second read.
    const session =
      this.deviceAccess.sessionOf(principal) ?? (await this.sessions.findById(principal.sessionId));
    const device = session?.devices.find((d) => d.id === principal.deviceId);
    if (
      session === null ||
      device?.status !== 'active' ||
      effectiveStatus(session, now) !== 'active'
    ) {
      throw new AppError('UNAUTHENTICATED', 'The device or its session is no longer active');
    }
    return this.grants.token(session, device, now);
  }

  private async decide(
    user: UserPrincipal,
    sessionId: string,
    deviceId: string,
    decision: Decision,
  ): Promise<DeviceResponse> {
    const session = await this.access.owned(user, sessionId);
    const now = new Date();
    this.judge(session, deviceId, decision, now);
    const updated = await this.devices.transition(
      user.userId,
      session.id,
      deviceId,
      decision.from,
      decision.to,
      now,
      { type: `device.${decision.done}`, data: { deviceId } },
      decision.requireLiveSession,
    );
    if (updated === null) {
      // Something changed since the read (another decision, the session closed): say what.
      this.judge(await this.access.owned(user, sessionId), deviceId, decision, new Date());
      throw new AppError('CONFLICT', 'The device changed meanwhile; read it again');
    }
    const device = updated.devices.find((d) => d.id === deviceId);
    if (device === undefined) throw deviceNotFound();
    return toDeviceResponse(device);
  }

  /** 404 unknown device · 410 session not live (when required) · 409 wrong state. */
  private judge(session: SessionRecord, deviceId: string, decision: Decision, now: Date): void {
    const device = isPublicId(deviceId)
      ? session.devices.find((d) => d.id === deviceId)
      : undefined;
    if (device === undefined) throw deviceNotFound();
    if (decision.requireLiveSession) this.access.assertLive(session, now);
    if (!decision.from.includes(device.status))
      throw wrongDeviceState(device.status, decision.done);
  }
}
