import { AppError } from '@app/common';
import type { DeviceStatus } from '@app/database';

// One answer for an unknown, spent or expired secret or code: a guesser learns nothing.
export const invalidPairing = (): AppError =>
  new AppError('UNAUTHENTICATED', 'Unknown, spent or expired pairing secret or code');

// Likewise for the poll secret (RFC 8628 expired_token / invalid_grant).
export const invalidPollSecret = (): AppError =>
  new AppError('UNAUTHENTICATED', 'Unknown, spent or expired poll secret');

// Both carry the current interval as the problem's `interval` member (RFC 8628 section 3.5).
export const authorizationPending = (intervalSeconds: number): AppError =>
  new AppError(
    'AUTHORIZATION_PENDING',
    'The owner has not approved this device yet; keep polling',
    { extensions: { interval: intervalSeconds } },
  );

export const slowDown = (intervalSeconds: number): AppError =>
  new AppError(
    'SLOW_DOWN',
    `Polling too fast: wait at least ${String(intervalSeconds)} seconds between polls ` +
      `(interval is now ${String(intervalSeconds)})`,
    { extensions: { interval: intervalSeconds } },
  );

export const deviceRefused = (status: 'rejected' | 'revoked'): AppError =>
  new AppError('FORBIDDEN', `The owner ${status} this device`);

export const sessionFull = (): AppError =>
  new AppError('CONFLICT', 'The session already has as many devices as it allows');

// The session's device history (rejected and revoked ones included) is at its cap: no
// revocation makes room, unlike sessionFull.
export const historyFull = (): AppError =>
  new AppError('CONFLICT', 'This session has had too many devices; start a new session');

export const sessionInactive = (): AppError =>
  new AppError('SESSION_EXPIRED', 'The session is no longer active');

export const pairingNotFound = (): AppError => new AppError('NOT_FOUND', 'Pairing not found');

export const madeWithEarlierKey = (): AppError =>
  new AppError('GONE', 'This pairing was made with an earlier key; create a new one');

export const deviceNotFound = (): AppError => new AppError('NOT_FOUND', 'Device not found');

// Approving a device whose poll expired would hand a token to nobody.
export const stoppedWaiting = (): AppError =>
  new AppError('CONFLICT', 'This device stopped waiting for approval; pair it again');

export const wrongDeviceState = (status: DeviceStatus, action: string): AppError =>
  new AppError('CONFLICT', `A ${status} device cannot be ${action}`);
