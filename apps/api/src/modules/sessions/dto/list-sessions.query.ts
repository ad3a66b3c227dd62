import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { PageLimitField } from './query-fields.js';

export class ListSessionsQuery {
  @PageLimitField()
  limit?: number;

  @ApiPropertyOptional({
    description: 'Opaque `nextCursor` of the previous page.',
    maxLength: 512,
    example: 'eyJjIjoiMjAyNi0wMS0wMVQxMjowMDowMC4wMDBaIiwiaSI6Im1aM3E4VjB4VDJrUjliWWNMdzRuMUEifQ',
  })
  @IsOptional()
  @IsString()
  @Length(1, 512)
  cursor?: string;
}
