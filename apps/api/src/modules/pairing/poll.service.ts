import { Injectable } from '@nestjs/common';
import { PairingRepository, SessionRepository } from '@app/database';
import { effectiveStatus } from '../sessions/index.js';
import type { ActiveClaimResponse } from './dto/claim.response.js';
import { DeviceGrantsService } from './device-grants.service.js';
import {
  authorizationPending,
  deviceRefused,
  invalidPollSecret,
  slowDown,
} from './pairing.errors.js';
import { hashSecret } from './pairing-codes.js';

/** RFC 8628 §3.5: the interval grows by 5 seconds with every poll that came too early. */
export const SLOW_DOWN_STEP_SECONDS = 5;

/** A pending device polling for the owner's decision (RFC 8628 device access token request). */
@Injectable()
export class PollService {
  constructor(
    private readonly pairings: PairingRepository,
    private readonly sessions: SessionRepository,
    private readonly grants: DeviceGrantsService,
  ) {}

  async poll(pollSecret: string): Promise<ActiveClaimResponse> {
    const now = new Date();
    const result = await this.pairings.poll(hashSecret(pollSecret), now, SLOW_DOWN_STEP_SECONDS);
    if (result.kind === 'unknown') throw invalidPollSecret();
    if (result.kind === 'slow_down') throw slowDown(result.intervalSeconds);
    const { pairing } = result;
    const session =
      pairing.deviceId === null ? null : await this.sessions.findById(pairing.sessionId);
    const device = session?.devices.find((d) => d.id === pairing.deviceId);
    // The session closed or expired (or is gone) while the device waited: the grant expired.
    if (session === null || device === undefined || effectiveStatus(session, now) !== 'active') {
      throw invalidPollSecret();
    }
    if (device.status === 'rejected' || device.status === 'revoked') {
      throw deviceRefused(device.status);
    }
    if (device.status === 'pending') {
      throw authorizationPending(pairing.poll?.intervalSeconds ?? SLOW_DOWN_STEP_SECONDS);
    }
    // Approved: the poll secret yields a token once, whichever replica is asked first.
    if (!(await this.pairings.completePoll(pairing.id, now))) throw invalidPollSecret();
    return this.grants.activeClaim(session, device, now);
  }
}
