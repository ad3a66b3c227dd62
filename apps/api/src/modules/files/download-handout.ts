import type { Principal } from '@app/common';
import type { FileRecord, SessionEventInput, SessionRecord } from '@app/database';
import type { PresignedRequest, PresignGetInput } from '@app/storage';
import type { DownloadResponse } from './dto/download.response.js';
import { contentDispositionAttachment } from './policy/content-disposition.js';
import { urlLifetimeSeconds } from './url-lifetime.js';

/**
 * What a download's presigned GET signs, from what never changes on a file (key, name, type):
 * valid `ttlSeconds`, never past the session's end (the file can no longer be downloaded then),
 * and storage answers as an attachment with the stored type.
 */
export const downloadGet = (
  file: FileRecord,
  session: SessionRecord,
  ttlSeconds: number,
  now: Date,
): PresignGetInput => ({
  key: file.storageKey,
  expiresInSeconds: urlLifetimeSeconds(ttlSeconds, now, session.expiresAt),
  responseContentDisposition: contentDispositionAttachment(file.name),
  responseContentType: file.contentType,
});

/** The session's event for a counted download; `granted` carries the new count. */
export const downloadedEvent = (principal: Principal, granted: FileRecord): SessionEventInput => ({
  type: 'file.downloaded',
  // Who took it: a device's id (the owner's devices list names it), none for the owner.
  data: {
    fileId: granted.id,
    downloads: granted.downloads,
    ...(principal.kind === 'device' ? { deviceId: principal.deviceId } : {}),
  },
});

export const downloadResponse = (get: PresignedRequest, granted: FileRecord): DownloadResponse => ({
  url: get.url,
  expiresAt: get.expiresAt.toISOString(),
  remainingDownloads: Math.max(0, granted.maxDownloads - granted.downloads),
});
