import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { newPublicId } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import {
  DeviceRepository,
  PairingRepository,
  SessionRepository,
  type DeviceRecord,
  type NewDevice,
  type PairingLookup,
  type PairingRecord,
  type SessionRecord,
} from '@app/database';
import { PairingSecrets } from '../auth/index.js';
import type { ActiveClaimResponse, PendingClaimResponse } from './dto/claim.response.js';
import type { ClaimPairingDto } from './dto/claim-pairing.dto.js';
import { toDeviceResponse } from './dto/device.response.js';
import { DeviceGrantsService } from './device-grants.service.js';
import { historyFull, invalidPairing, sessionFull, sessionInactive } from './pairing.errors.js';
import { PairingMetrics } from './pairing-metrics.js';
import { hashCode, hashSecret, newPollSecret, normalizeCode } from './pairing-codes.js';
import { cleanUserAgent } from './user-agent.js';

export const DEFAULT_DEVICE_NAME = 'Device';

export type ClaimResult = ActiveClaimResponse | PendingClaimResponse;

/** A claim's answer: 201 with the device token, or 202 when the device waits for approval. */
export type ClaimReply =
  | { httpStatus: HttpStatus.CREATED; body: ActiveClaimResponse }
  | { httpStatus: HttpStatus.ACCEPTED; body: PendingClaimResponse };

/** Claiming a pairing: at most once, atomically, then a device within the session's limits. */
@Injectable()
export class ClaimService {
  private readonly logger = new Logger(ClaimService.name);

  constructor(
    private readonly pairings: PairingRepository,
    private readonly sessions: SessionRepository,
    private readonly devices: DeviceRepository,
    private readonly secrets: PairingSecrets,
    private readonly grants: DeviceGrantsService,
    private readonly metrics: PairingMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async claim(
    body: ClaimPairingDto,
    userAgent: string | string[] | undefined,
  ): Promise<ClaimReply> {
    const now = new Date();
    const lookup = this.lookup(body);
    const deviceId = newPublicId();
    const pollSecret = newPollSecret();
    const pollExpiresAt = new Date(now.getTime() + this.config.pairing.approvalTtlSeconds * 1000);
    // Whether the device must wait for approval is known only once the pairing names its
    // session, so every claim carries the poll grant; without approval it is never handed out.
    const pairing =
      lookup === null
        ? null
        : await this.pairings.claim(lookup, {
            deviceId,
            now,
            poll: {
              secretHash: hashSecret(pollSecret),
              expiresAt: pollExpiresAt,
              intervalSeconds: this.config.pairing.pollIntervalSeconds,
            },
          });
    if (pairing === null) {
      this.metrics.claim('invalid');
      throw invalidPairing();
    }
    const device: NewDevice = {
      id: deviceId,
      name: body.deviceName ?? DEFAULT_DEVICE_NAME,
      userAgent: cleanUserAgent(userAgent),
      status: 'active',
      permissions: [],
      pairingId: pairing.id,
      createdAt: now,
    };
    const { session, added, pollEndsAt } = await this.addDevice(pairing, device, now);
    if (added.status === 'pending') {
      this.metrics.claim('pending');
      const body: PendingClaimResponse = {
        status: 'pending',
        device: toDeviceResponse(added),
        pollSecret,
        interval: this.config.pairing.pollIntervalSeconds,
        expiresAt: pollEndsAt.toISOString(),
      };
      return { httpStatus: HttpStatus.ACCEPTED, body };
    }
    this.metrics.claim('active');
    return {
      httpStatus: HttpStatus.CREATED,
      body: await this.grants.activeClaim(session, added, now),
    };
  }

  private lookup(body: ClaimPairingDto): PairingLookup | null {
    if (body.secret !== undefined) return { secretHash: hashSecret(body.secret) };
    const code = body.code === undefined ? null : normalizeCode(body.code);
    return code === null ? null : { codeHash: hashCode(this.secrets.codeKey(), code) };
  }

  /** Adds the device to the claimed pairing's session; a refusal or failure gives the pairing back. */
  private async addDevice(pairing: PairingRecord, device: NewDevice, now: Date): Promise<Added> {
    let outcome: Added | Refused;
    try {
      outcome = await this.tryAdd(pairing, device, now);
    } catch (err) {
      // The add may have committed with only its reply lost: give the pairing back only when
      // the device is surely not there, or one pairing would make two devices.
      if (await this.deviceAbsent(pairing.sessionId, device.id)) {
        await this.release(pairing, device.id);
      }
      throw err;
    }
    if ('session' in outcome) return outcome;
    await this.release(pairing, device.id);
    this.metrics.claim(outcome.refused === 'inactive' ? 'inactive' : 'full');
    throw REFUSALS[outcome.refused]();
  }

  private async tryAdd(
    pairing: PairingRecord,
    device: NewDevice,
    now: Date,
  ): Promise<Added | Refused> {
    // requireApproval and guestPermissions never change after creation: this read decides them.
    const session = await this.sessions.findById(pairing.sessionId);
    if (session === null) return { refused: 'inactive' };
    const status = session.requireApproval ? 'pending' : 'active';
    // The wait for approval never outlasts the session: the 202 promises no more than it has.
    let pollEndsAt = pairing.poll?.expiresAt ?? session.expiresAt;
    if (status === 'pending' && session.expiresAt.getTime() < pollEndsAt.getTime()) {
      await this.pairings.capPoll(pairing.id, device.id, session.expiresAt);
      pollEndsAt = session.expiresAt;
    }
    const frozen: NewDevice = { ...device, status, permissions: [...session.guestPermissions] };
    const result = await this.devices.add(session.id, frozen, now, {
      type: 'device.claimed',
      data: { deviceId: device.id, name: device.name, status },
    });
    if (!result.ok) return { refused: result.reason === 'not_found' ? 'inactive' : result.reason };
    const added = result.session.devices.find((d) => d.id === device.id) ?? {
      ...frozen,
      lastSeenAt: null,
      decidedAt: null,
    };
    return { session: result.session, added, pollEndsAt };
  }

  /** True when a fresh read shows no such device; false when it is there or the read fails. */
  private async deviceAbsent(sessionId: string, deviceId: string): Promise<boolean> {
    try {
      const session = await this.sessions.findById(sessionId);
      return session?.devices.some((d) => d.id === deviceId) !== true;
    } catch (err) {
      this.logger.warn(`could not tell whether device ${deviceId} was added: ${String(err)}`);
      return false;
    }
  }

  private async release(pairing: PairingRecord, deviceId: string): Promise<void> {
    try {
      await this.pairings.release(pairing.id, deviceId);
    } catch (err) {
      // The pairing stays spent (it expires soon anyway); the client still gets the real answer.
      this.logger.warn(`could not release pairing ${pairing.id}: ${String(err)}`);
    }
  }
}

interface Added {
  session: SessionRecord;
  added: DeviceRecord;
  /** Until when a pending device may poll (its pairing's poll, capped at the session's end). */
  pollEndsAt: Date;
}

interface Refused {
  refused: 'full' | 'history_full' | 'inactive';
}

const REFUSALS: Record<Refused['refused'], () => Error> = {
  full: sessionFull,
  history_full: historyFull,
  inactive: sessionInactive,
};
