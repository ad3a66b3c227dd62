import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { SEQ_MAX } from '../live-cursor.js';

// Plain decimal digits become a number; anything else stays as it is and fails IsInt.
const digitsToNumber = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;

export class EventsQuery {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: SEQ_MAX,
    description:
      'Resume after this sequence number (as `Last-Event-ID` does; both given must agree). ' +
      'Neither: live events only, from the session’s current seq.',
    example: 12,
  })
  @IsOptional()
  @Transform(digitsToNumber)
  @IsInt()
  @Min(0)
  @Max(SEQ_MAX)
  after?: number;
}
