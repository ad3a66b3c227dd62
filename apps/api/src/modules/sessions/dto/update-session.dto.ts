import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional } from 'class-validator';
import { NameField } from '@app/common';
import { SESSION_NAME_MAX_LENGTH } from './create-session.dto.js';

/** At least one field; SessionsService refuses an empty body. */
export class UpdateSessionDto {
  @NameField({ maxLength: SESSION_NAME_MAX_LENGTH, optional: true, example: 'Team offsite' })
  name?: string;

  @ApiPropertyOptional({
    type: 'integer',
    description:
      'New lifetime counted from now: expiresAt = now + ttlSeconds, within ' +
      'SESSION_MIN_TTL_SECONDS (60) .. SESSION_MAX_TTL_SECONDS (604800).',
    example: 7200,
  })
  @IsOptional()
  @IsInt()
  ttlSeconds?: number;
}
