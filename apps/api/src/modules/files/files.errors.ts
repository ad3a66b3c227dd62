import { AppError } from '@app/common';
import type { FileStatus } from '@app/database';

// Unknown, malformed, someone else's and (for devices) not-yet-ready files: one answer.
export const fileNotFound = (): AppError => new AppError('NOT_FOUND', 'File not found');

export const invalidName = (): AppError =>
  new AppError('VALIDATION_FAILED', 'The name has nothing left once made safe', {
    errors: [
      {
        field: 'name',
        message:
          'name must keep at least one character that is not a dot, a space, a separator or a control or formatting character',
      },
    ],
  });

export const fileTooLarge = (limit: number): AppError =>
  new AppError('PAYLOAD_TOO_LARGE', `The file is larger than the ${String(limit)} bytes allowed`);

export const sessionBytesExhausted = (): AppError =>
  new AppError('PAYLOAD_TOO_LARGE', 'The session has no room left for that many bytes');

export const sessionFilesExhausted = (): AppError =>
  new AppError('CONFLICT', 'The session already holds as many files as it allows');

export const unsupportedType = (detail: string): AppError =>
  new AppError('UNSUPPORTED_MEDIA_TYPE', detail);

export const quotaExceeded = (retryAfterSeconds: number): AppError =>
  new AppError('QUOTA_EXCEEDED', 'The daily upload quota of the session’s owner is spent', {
    retryAfterSeconds,
  });

export const sessionInactive = (): AppError =>
  new AppError('SESSION_EXPIRED', 'The session is no longer active');

export const notUploader = (): AppError =>
  new AppError('FORBIDDEN', 'Only whoever declared the file may upload it');

export const notMultipart = (): AppError =>
  new AppError('CONFLICT', 'The file is a single upload: it has no parts');

export const notPending = (status: FileStatus): AppError =>
  new AppError('CONFLICT', `The file is ${status}: its upload is over`);

export const uploadIncomplete = (detail: string): AppError =>
  new AppError('UPLOAD_INCOMPLETE', detail);

export const integrityMismatch = (rejectedReason: string | null): AppError =>
  new AppError(
    'INTEGRITY_MISMATCH',
    `The upload was rejected: ${rejectedReason ?? 'it did not match what was declared'}`,
  );

export const notReady = (status: FileStatus): AppError =>
  new AppError('CONFLICT', `The file is ${status}, not ready`);

export const downloadLimitReached = (): AppError =>
  new AppError('DOWNLOAD_LIMIT_REACHED', 'The file has been downloaded as often as it allows');

export const partOutsidePlan = (field: string, partCount: number): AppError =>
  new AppError('VALIDATION_FAILED', `Part numbers run from 1 to ${String(partCount)}`, {
    errors: [{ field, message: `partNumber must be between 1 and ${String(partCount)}` }],
  });

export const forgedPartList = (detail: string): AppError =>
  new AppError('VALIDATION_FAILED', `The part list does not match what storage holds: ${detail}`, {
    errors: [{ field: 'parts', message: detail }],
  });

export const uploadWindowClosed = (): AppError =>
  new AppError('GONE', 'The upload window of this file has closed');

export const partsOnlyForMultipart = (): AppError =>
  new AppError('VALIDATION_FAILED', 'A single upload completes without a part list', {
    errors: [{ field: 'parts', message: 'parts is only for multipart uploads' }],
  });

export const fileBusy = (): AppError =>
  new AppError('CONFLICT', 'The file changed while it was being deleted; try again');
