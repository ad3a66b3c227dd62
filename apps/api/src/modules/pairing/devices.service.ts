import { Injectable } from '@nestjs/common';
import { AppError, isPublicId, type DevicePrincipal, type UserPrincipal } from '@app/common';
import {
  DeviceRepository,
  PairingRepository,
  SessionRepository,
  type DeviceRecord,
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
import { deviceNotFound, stoppedWaiting, wrongDeviceState } from './pairing.errors.js';

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
    private readonly pairings: PairingRepository,
    private readonly deviceAccess: DeviceAccessService,
    private readonly grants: DeviceGrantsService,
  ) {}

  async list(user: UserPrincipal, sessionId: string): Promise<DeviceListResponse> {
    const session = await this.access.owned(user, sessionId);
    return { items: session.devices.map(toDeviceResponse), nextCursor: null };
  }

  /**
   * Only a device that still polls can be approved: one whose poll expired (or whose pairing is
   * gone) would never fetch its token, so it is revoked instead (freeing its place) and the
   * owner gets a 409.
   */
  async approve(user: UserPrincipal, sessionId: string, deviceId: string): Promise<DeviceResponse> {
    const session = await this.access.owned(user, sessionId);
    const now = new Date();
    const device = this.judge(session, deviceId, APPROVE, now);
    if (!(await this.stillPolling(device, now))) {
      await this.devices.transition(
        user.userId,
        session.id,
        device.id,
        ['pending'],
        'revoked',
        now,
        { type: 'device.revoked', data: { deviceId: device.id, reason: 'stopped_waiting' } },
        false,
      );
      throw stoppedWaiting();
    }
    return this.apply(user, session, deviceId, APPROVE, now);
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
    return this.apply(user, session, deviceId, decision, now);
  }

  /** The decision's transition, once judged on `session`. */
  private async apply(
    user: UserPrincipal,
    session: SessionRecord,
    deviceId: string,
    decision: Decision,
    now: Date,
  ): Promise<DeviceResponse> {
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
      this.judge(await this.access.owned(user, session.id), deviceId, decision, new Date());
      throw new AppError('CONFLICT', 'The device changed meanwhile; read it again');
    }
    const device = updated.devices.find((d) => d.id === deviceId);
    if (device === undefined) throw deviceNotFound();
    return toDeviceResponse(device);
  }

  /** 404 unknown device · 410 session not live (when required) · 409 wrong state. */
  private judge(
    session: SessionRecord,
    deviceId: string,
    decision: Decision,
    now: Date,
  ): DeviceRecord {
    const device = isPublicId(deviceId)
      ? session.devices.find((d) => d.id === deviceId)
      : undefined;
    if (device === undefined) throw deviceNotFound();
    if (decision.requireLiveSession) this.access.assertLive(session, now);
    if (!decision.from.includes(device.status))
      throw wrongDeviceState(device.status, decision.done);
    return device;
  }

  /** Whether the pending device's poll (on its pairing) can still fetch a token after `now`. */
  private async stillPolling(device: DeviceRecord, now: Date): Promise<boolean> {
    const pairing = await this.pairings.findById(device.pairingId);
    const poll = pairing?.deviceId === device.id ? pairing.poll : null;
    return (
      poll !== null &&
      poll !== undefined &&
      poll.completedAt === null &&
      poll.expiresAt.getTime() > now.getTime()
    );
  }
}
