import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Matches, MaxLength, Min, MinLength } from 'class-validator';
import { EXAMPLE_SHA256 } from './examples.js';

/** Longest name accepted before sanitizing (it is then cut to 255 UTF-8 bytes). */
export const RAW_NAME_MAX_LENGTH = 1024;
export const CONTENT_TYPE_MAX_LENGTH = 255;
export const SHA256_HEX = /^[0-9a-f]{64}$/;

export class DeclareFileDto {
  @ApiProperty({
    description:
      'The file’s name. Stored sanitized (Unicode NFC; no control, format or bidi characters, ' +
      'path separators, leading dots, trailing dots or spaces, Windows reserved names; at most ' +
      '255 UTF-8 bytes, keeping the extension): the response shows the stored name. A name ' +
      'with nothing left → 400.',
    minLength: 1,
    maxLength: RAW_NAME_MAX_LENGTH,
    example: 'Holiday photo.jpg',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(RAW_NAME_MAX_LENGTH)
  name!: string;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description:
      'Exact size in bytes (0 allowed). Above MAX_FILE_BYTES or the session’s maxFileBytes → 413.',
    example: 2_457_600,
  })
  @IsInt()
  @Min(0)
  size!: number;

  @ApiProperty({
    description:
      'A bare `type/subtype` (no parameters), within CONTENT_TYPES_ALLOWED / ' +
      'CONTENT_TYPES_BLOCKED; else 415. Downloads are served with it.',
    maxLength: CONTENT_TYPE_MAX_LENGTH,
    example: 'image/jpeg',
  })
  @IsString()
  @MaxLength(CONTENT_TYPE_MAX_LENGTH)
  contentType!: string;

  @ApiProperty({
    description: 'SHA-256 of the whole file, 64 lower-case hex digits.',
    pattern: SHA256_HEX.source,
    example: EXAMPLE_SHA256,
  })
  @IsString()
  @Matches(SHA256_HEX, { message: 'sha256 must be 64 lower-case hex digits' })
  sha256!: string;
}
