// Joining the session: claim the pairing by code or secret, and wait for the owner's approval
// when the session asks for it (docs/api.md "Pairing and devices").

import { anonClient } from '../core/client.ts';
import { CliError, EXIT } from '../core/errors.ts';
import type { Output } from '../core/output.ts';
import { systemClock, type Clock } from './clock.ts';
import { waitForApproval } from './poll.ts';
import type { PairingTarget } from './target.ts';
import { printable } from './text.ts';
import type { ActiveClaim, PendingClaim } from './types.ts';

export interface ClaimOptions {
  readonly server: string;
  readonly target: PairingTarget;
  readonly deviceName: string;
  readonly out: Output;
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
}

export async function claimDevice(options: ClaimOptions): Promise<ActiveClaim> {
  const { out, target, deviceName, signal } = options;
  const api = anonClient(options.server);
  const credential = target.kind === 'code' ? { code: target.code } : { secret: target.secret };
  let claim: ActiveClaim | PendingClaim;
  try {
    claim = await api.request<ActiveClaim | PendingClaim>(
      'POST',
      '/v1/pairings/claim',
      { ...credential, deviceName },
      { signal },
    );
  } catch (error) {
    throw claimError(error, target);
  }
  if (claim.status === 'active') {
    announce(out, claim);
    return claim;
  }
  out.event({ event: 'claimed', status: 'pending', device: claim.device });
  out.info(`Waiting for the owner to approve ${printable(claim.device.name)}…`);
  const active = await waitForApproval({
    api,
    pollSecret: claim.pollSecret,
    interval: claim.interval,
    deviceName: claim.device.name,
    clock: options.clock ?? systemClock,
    signal,
    onInterval: (interval) => out.event({ event: 'waiting', interval }),
    onRetry: (error, seconds) =>
      out.info(`${error.message.replace(/ Try again.*$/, '')} Asking again in ${seconds} s.`),
  });
  announce(out, active);
  return active;
}

function announce(out: Output, claim: ActiveClaim): void {
  out.event({
    event: 'claimed',
    status: 'active',
    device: claim.device,
    session: { id: claim.session.id, name: claim.session.name, expiresAt: claim.session.expiresAt },
  });
  out.info(`Joined "${printable(claim.session.name, 100)}" as ${printable(claim.device.name)}.`);
}

function claimError(error: unknown, target: PairingTarget): unknown {
  if (!(error instanceof CliError)) return error;
  const what = target.kind === 'code' ? 'pairing code' : 'pairing link';
  if (error.code === 'UNAUTHENTICATED') {
    return new CliError(
      `This ${what} is unknown, already used or expired: ask the sender for a new one.`,
      EXIT.AUTH,
      'PAIRING_INVALID',
    );
  }
  if (error.code === 'CONFLICT') {
    return new CliError(
      'The session has no room for another device (it is full, or too many devices came and went).',
      EXIT.FAILURE,
      'CONFLICT',
    );
  }
  return error;
}
