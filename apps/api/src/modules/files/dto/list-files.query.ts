import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export const FILE_PAGE_DEFAULT = 20;
export const FILE_PAGE_MAX = 100;

// Query values arrive as strings: plain decimal digits become a number, anything else (a sign,
// a fraction, `1e3`, a repeated parameter's array) stays as it is and fails IsInt.
const digitsToNumber = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;

export class ListFilesQuery {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: FILE_PAGE_MAX,
    default: FILE_PAGE_DEFAULT,
    description: 'Items per page.',
    example: FILE_PAGE_DEFAULT,
  })
  @IsOptional()
  @Transform(digitsToNumber)
  @IsInt()
  @Min(1)
  @Max(FILE_PAGE_MAX)
  limit?: number;

  @ApiPropertyOptional({
    description: 'Opaque `nextCursor` of the previous page.',
    maxLength: 512,
    example: 'MTc2NzI2ODgwMDAwMC5RbTh2VDN4SzFwUjZ3WjljTDJuQjRB',
  })
  @IsOptional()
  @IsString()
  @Length(1, 512)
  cursor?: string;
}
