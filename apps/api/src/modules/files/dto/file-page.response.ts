import { ApiProperty } from '@nestjs/swagger';
import { FileResponse } from './file.response.js';

export class FilePageResponse {
  @ApiProperty({ type: [FileResponse], description: 'Oldest first.' })
  items!: FileResponse[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last one.',
    example: null,
  })
  nextCursor!: string | null;
}
