import { AppError } from '@app/common';
import type { SessionStatus } from './session-status.js';

// Unknown, malformed and someone else's session ids get the same answer: no existence oracle.
export const sessionNotFound = (): AppError => new AppError('NOT_FOUND', 'Session not found');

export const sessionNotLive = (status: Exclude<SessionStatus, 'active'>): AppError =>
  new AppError('SESSION_EXPIRED', `The session is ${status}`);
