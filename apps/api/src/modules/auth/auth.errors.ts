import { AppError } from '@app/common';

// One message for every login failure: unknown email and wrong password look the same.
export const invalidCredentials = (): AppError =>
  new AppError('UNAUTHENTICATED', 'Invalid email or password');

// One message for every refusal of a refresh token, whatever the reason.
export const invalidRefreshToken = (): AppError =>
  new AppError('UNAUTHENTICATED', 'Invalid or expired refresh token');

export const accountGone = (): AppError =>
  new AppError('UNAUTHENTICATED', 'The account no longer exists');

/** Emails are compared trimmed and lower-cased (registration, login, uniqueness). */
export const normalizeEmail = (email: string): string => String(email).trim().toLowerCase();
