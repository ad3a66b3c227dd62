import { ApiProperty } from '@nestjs/swagger';

export class QuotaCounterResponse {
  @ApiProperty({
    type: 'integer',
    description: 'Reserved today (pending files included).',
    example: 3,
  })
  used!: number;

  @ApiProperty({ type: 'integer', example: 100 })
  limit!: number;
}

export class QuotaResponse {
  @ApiProperty({ description: 'The UTC day counted, YYYY-MM-DD.', example: '2026-01-01' })
  day!: string;

  @ApiProperty({
    type: QuotaCounterResponse,
    description: 'Files declared (QUOTA_DAILY_FILES).',
    example: { used: 3, limit: 100 },
  })
  files!: QuotaCounterResponse;

  @ApiProperty({
    type: QuotaCounterResponse,
    description: 'Bytes declared (QUOTA_DAILY_BYTES).',
    example: { used: 7_340_032, limit: 21_474_836_480 },
  })
  bytes!: QuotaCounterResponse;

  @ApiProperty({
    format: 'date-time',
    description: 'The next UTC midnight, when the counters start again from zero.',
    example: '2026-01-02T00:00:00.000Z',
  })
  resetsAt!: string;
}
