import { ApiProperty } from '@nestjs/swagger';
import { PERMISSIONS, type Permission } from '@app/common';
import type { SessionRecord } from '@app/database';
import { effectiveStatus, type SessionStatus } from '../session-status.js';

export class SessionLimitsResponse {
  @ApiProperty({ type: 'integer', description: 'Devices pending or active at once.', example: 10 })
  maxDevices!: number;

  @ApiProperty({ type: 'integer', example: 100 })
  maxFiles!: number;

  @ApiProperty({
    type: 'integer',
    description: 'Bytes of all files together.',
    example: 10_737_418_240,
  })
  maxTotalBytes!: number;

  @ApiProperty({ type: 'integer', description: 'Bytes of one file.', example: 5_368_709_120 })
  maxFileBytes!: number;

  @ApiProperty({ type: 'integer', example: 100 })
  maxDownloadsPerFile!: number;
}

export class SessionStatsResponse {
  @ApiProperty({ type: 'integer', example: 0 })
  files!: number;

  @ApiProperty({ type: 'integer', example: 0 })
  bytes!: number;

  @ApiProperty({ type: 'integer', description: 'Devices pending or active.', example: 1 })
  devices!: number;
}

export class SessionResponse {
  @ApiProperty({ description: 'Random public id.', example: 'mZ3q8V0xT2kR9bYcLw4n1A' })
  id!: string;

  @ApiProperty({ example: 'Holiday photos' })
  name!: string;

  @ApiProperty({
    enum: ['active', 'closed', 'expired'],
    description: 'A session past expiresAt reads as expired at once.',
    example: 'active',
  })
  status!: SessionStatus;

  @ApiProperty({ format: 'date-time', example: '2026-01-01T12:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-01T13:00:00.000Z' })
  expiresAt!: string;

  @ApiProperty({
    enum: PERMISSIONS,
    isArray: true,
    description: 'What paired devices may do.',
    example: ['upload', 'download'],
  })
  guestPermissions!: Permission[];

  @ApiProperty({ description: 'New devices wait for the owner to approve them.', example: false })
  requireApproval!: boolean;

  @ApiProperty({ type: SessionLimitsResponse })
  limits!: SessionLimitsResponse;

  @ApiProperty({ type: SessionStatsResponse })
  stats!: SessionStatsResponse;
}

/** The client's view of a session at `now`: never its devices, owner or event counter. */
export const toSessionResponse = (record: SessionRecord, now: Date): SessionResponse => ({
  id: record.id,
  name: record.name,
  status: effectiveStatus(record, now),
  createdAt: record.createdAt.toISOString(),
  expiresAt: record.expiresAt.toISOString(),
  guestPermissions: [...record.guestPermissions],
  requireApproval: record.requireApproval,
  limits: {
    maxDevices: record.limits.maxDevices,
    maxFiles: record.limits.maxFiles,
    maxTotalBytes: record.limits.maxTotalBytes,
    maxFileBytes: record.limits.maxFileBytes,
    maxDownloadsPerFile: record.limits.maxDownloadsPerFile,
  },
  stats: {
    files: record.stats.files,
    bytes: record.stats.bytes,
    devices: record.stats.devices,
  },
});
