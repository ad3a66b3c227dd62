import { AppError } from '@app/common';

/**
 * Storage cannot be reached or is failing (circuit open, timeouts, 5xx). The API's global
 * filter turns it into `503` with `Retry-After: retryAfterSeconds`.
 */
export class StorageUnavailableError extends AppError {
  constructor(message: string, retryAfterSeconds: number, cause?: unknown) {
    super('STORAGE_UNAVAILABLE', message, {
      retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)),
      cause,
    });
  }
}

/** The object (or multipart upload) does not exist in storage. A domain result, not an outage. */
export class StorageObjectMissingError extends AppError {
  constructor(
    readonly key: string,
    cause?: unknown,
  ) {
    super('NOT_FOUND', `Stored object ${key} does not exist`, { cause });
  }
}

/**
 * Storage refused the request itself (4xx other than missing, or 501 NotImplemented): a caller or
 * configuration bug, or a call this storage does not offer.
 */
export class StorageRequestRejectedError extends AppError {
  constructor(
    readonly operation: string,
    readonly s3Code: string,
    readonly httpStatus: number | undefined,
    cause?: unknown,
  ) {
    super('INTERNAL', `Storage rejected ${operation}: ${s3Code}`, { cause });
  }
}
