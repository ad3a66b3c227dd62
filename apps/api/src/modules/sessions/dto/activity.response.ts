import { ApiProperty } from '@nestjs/swagger';
import type { EventData, EventRecord } from '@app/database';

export class ActivityEventResponse {
  @ApiProperty({
    type: 'integer',
    description: 'Per-session sequence number: 1, 2, 3 … with no gaps.',
    example: 2,
  })
  seq!: number;

  @ApiProperty({
    description:
      'session.created, session.extended, session.renamed, session.closed, pairing.created, ' +
      'device.claimed, device.approved, device.rejected, device.revoked (later: file events).',
    example: 'session.extended',
  })
  type!: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-01T12:30:00.000Z' })
  at!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: {
      oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }],
      nullable: true,
    },
    description: 'What changed; never a secret, hash or token.',
    example: { expiresAt: '2026-01-01T14:30:00.000Z', ttlSeconds: 7200 },
  })
  data!: EventData;
}

export class ActivityPageResponse {
  @ApiProperty({ type: [ActivityEventResponse], description: 'Oldest first.' })
  items!: ActivityEventResponse[];

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The last `seq` of this page when more events follow (pass it as `after`); else null.',
    example: '20',
  })
  nextCursor!: string | null;
}

export const toActivityEventResponse = (event: EventRecord): ActivityEventResponse => ({
  seq: event.seq,
  type: event.type,
  at: event.at.toISOString(),
  data: { ...event.data },
});
