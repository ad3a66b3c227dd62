import { ApiProperty } from '@nestjs/swagger';
import type { DeviceRecord, DeviceStatus } from '@app/database';

export const DEVICE_STATUSES: readonly DeviceStatus[] = [
  'pending',
  'active',
  'rejected',
  'revoked',
];

export class DeviceResponse {
  @ApiProperty({ description: 'Public id of the device.', example: 'Xk4pR7vT1wZ9qL2nB6mC0A' })
  id!: string;

  @ApiProperty({ description: 'The name the device gave itself.', example: 'Ada’s phone' })
  name!: string;

  @ApiProperty({ enum: DEVICE_STATUSES, example: 'active' })
  status!: DeviceStatus;

  @ApiProperty({
    format: 'date-time',
    description: 'Claim time.',
    example: '2026-01-01T12:01:00.000Z',
  })
  createdAt!: string;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'Last authenticated request (updated at most once a minute).',
    example: '2026-01-01T12:05:00.000Z',
  })
  lastSeenAt!: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'The claiming client’s User-Agent (at most 256 characters), to judge before approving.',
    example: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15',
  })
  userAgent!: string | null;
}

export class DeviceListResponse {
  @ApiProperty({ type: DeviceResponse, isArray: true })
  items!: DeviceResponse[];

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Always null: a session holds few devices, all listed at once.',
    example: null,
  })
  nextCursor!: string | null;
}

export const toDeviceResponse = (device: DeviceRecord): DeviceResponse => ({
  id: device.id,
  name: device.name,
  status: device.status,
  createdAt: device.createdAt.toISOString(),
  lastSeenAt: device.lastSeenAt?.toISOString() ?? null,
  userAgent: device.userAgent,
});
