import { AppError } from '@app/common';

// One message for every login failure: unknown email and wrong password look the same.
export const invalidCredentials = (): AppError =>
  new AppError('UNAUTHENTICATED', 'Invalid email or password');

// One message for every refusal of a refresh token, whatever the reason.
export const invalidRefreshToken = (): AppError =>
  new AppError('UNAUTHENTICATED', 'Invalid or expired refresh token');

export const accountGone = (): AppError =>
  new AppError('UNAUTHENTICATED', 'The account no longer exists');

// One message whatever the account: it must not tell whether the email is registered.
export const loginDelayed = (retryAfterSeconds: number): AppError =>
  new AppError(
    'LOGIN_DELAYED',
    'Too many failed sign-ins for this email; wait before trying again',
    { retryAfterSeconds },
  );
