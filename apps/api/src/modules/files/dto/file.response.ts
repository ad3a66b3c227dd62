import { ApiProperty } from '@nestjs/swagger';
import type { FileRecord, FileStatus, SessionRecord } from '@app/database';
import { EXAMPLE_FILE_ID, EXAMPLE_SESSION_ID, EXAMPLE_SHA256 } from './examples.js';

export const FILE_STATUSES: readonly FileStatus[] = [
  'pending',
  'verifying',
  'ready',
  'rejected',
  'deleted',
];

export class FileResponse {
  @ApiProperty({ description: 'Random public id.', example: EXAMPLE_FILE_ID })
  id!: string;

  @ApiProperty({ example: EXAMPLE_SESSION_ID })
  sessionId!: string;

  @ApiProperty({ description: 'The stored (sanitized) name.', example: 'Holiday photo.jpg' })
  name!: string;

  @ApiProperty({ type: 'integer', description: 'Bytes.', example: 2_457_600 })
  size!: number;

  @ApiProperty({ example: 'image/jpeg' })
  contentType!: string;

  @ApiProperty({ description: 'Declared SHA-256, lower-case hex.', example: EXAMPLE_SHA256 })
  sha256!: string;

  @ApiProperty({
    enum: FILE_STATUSES,
    description:
      'pending until complete; verifying while a multipart upload’s whole-file SHA-256 is read ' +
      'back (it becomes ready or rejected by itself); only ready files can be downloaded.',
    example: 'ready',
  })
  status!: FileStatus;

  @ApiProperty({ type: 'integer', description: 'Download URLs granted so far.', example: 0 })
  downloads!: number;

  @ApiProperty({ type: 'integer', example: 100 })
  maxDownloads!: number;

  @ApiProperty({ format: 'date-time', example: '2026-01-01T12:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When it became ready; null before.',
    example: '2026-01-01T12:00:05.000Z',
  })
  readyAt!: string | null;

  @ApiProperty({
    format: 'date-time',
    description:
      'Until when the file can be used: for a pending file, the end of its upload window ' +
      '(UPLOAD_WINDOW_SECONDS, never past the session’s expiry); otherwise the session’s ' +
      'expiry, after which it can no longer be downloaded.',
    example: '2026-01-01T13:00:00.000Z',
  })
  expiresAt!: string;
}

/** Until when `file` can be used: its upload window while pending, else its session's expiry. */
export function fileExpiresAt(
  file: Pick<FileRecord, 'status' | 'uploadExpiresAt'>,
  session: Pick<SessionRecord, 'expiresAt'>,
): Date {
  if (file.status === 'pending' && file.uploadExpiresAt < session.expiresAt) {
    return file.uploadExpiresAt;
  }
  return session.expiresAt;
}

export const toFileResponse = (
  file: FileRecord,
  session: Pick<SessionRecord, 'expiresAt'>,
): FileResponse => ({
  id: file.id,
  sessionId: file.sessionId,
  name: file.name,
  size: file.size,
  contentType: file.contentType,
  sha256: file.sha256,
  status: file.status,
  downloads: file.downloads,
  maxDownloads: file.maxDownloads,
  createdAt: file.createdAt.toISOString(),
  readyAt: file.readyAt?.toISOString() ?? null,
  expiresAt: fileExpiresAt(file, session).toISOString(),
});
