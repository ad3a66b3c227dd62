import { ApiProperty } from '@nestjs/swagger';
import { SessionResponse } from './session.response.js';

export class SessionPageResponse {
  @ApiProperty({ type: [SessionResponse], description: 'Newest first.' })
  items!: SessionResponse[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page.',
    example: 'eyJjIjoiMjAyNi0wMS0wMVQxMjowMDowMC4wMDBaIiwiaSI6Im1aM3E4VjB4VDJrUjliWWNMdzRuMUEifQ',
  })
  nextCursor!: string | null;
}
