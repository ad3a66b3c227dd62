import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { EXAMPLE_PART_SHA256 } from './examples.js';
import { SHA256_HEX } from './declare-file.dto.js';

export const PARTS_PER_REQUEST = 100;
export const MAX_PART_NUMBER = 10_000;

// Elements that are not objects are refused by ValidateNested; here they only must not throw.
const partNumberOf = (part: unknown): unknown =>
  typeof part === 'object' && part !== null ? (part as { partNumber?: unknown }).partNumber : part;

export class PartRequestDto {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: MAX_PART_NUMBER,
    description: '1..partCount of the upload plan.',
    example: 1,
  })
  @IsInt()
  @Min(1)
  @Max(MAX_PART_NUMBER)
  partNumber!: number;

  @ApiProperty({
    description: 'SHA-256 of this part’s bytes, 64 lower-case hex digits.',
    pattern: SHA256_HEX.source,
    example: EXAMPLE_PART_SHA256,
  })
  @IsString()
  @Matches(SHA256_HEX, { message: 'sha256 must be 64 lower-case hex digits' })
  sha256!: string;
}

export class RequestPartsDto {
  @ApiProperty({
    type: [PartRequestDto],
    minItems: 1,
    maxItems: PARTS_PER_REQUEST,
    description: `1..${String(PARTS_PER_REQUEST)} parts per request, each part number once.`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(PARTS_PER_REQUEST)
  @ArrayUnique(partNumberOf, { message: 'each partNumber may appear once' })
  @ValidateNested({ each: true })
  @Type(() => PartRequestDto)
  parts!: PartRequestDto[];
}

export class CompletedPartDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_PART_NUMBER, example: 1 })
  @IsInt()
  @Min(1)
  @Max(MAX_PART_NUMBER)
  partNumber!: number;

  @ApiProperty({
    description: 'The ETag storage answered to the part’s PUT.',
    example: '"b1946ac92492d2347c6235b4d2611184"',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  etag!: string;
}

export class CompleteFileDto {
  @ApiPropertyOptional({
    type: [CompletedPartDto],
    maxItems: MAX_PART_NUMBER,
    description:
      'Multipart only, optional: the parts as the client saw them. When given, it must equal ' +
      'what storage lists (else 400); the upload is always completed with storage’s own list.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_PART_NUMBER)
  @ArrayUnique(partNumberOf, { message: 'each partNumber may appear once' })
  @ValidateNested({ each: true })
  @Type(() => CompletedPartDto)
  parts?: CompletedPartDto[];
}
