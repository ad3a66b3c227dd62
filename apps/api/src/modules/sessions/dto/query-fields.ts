import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const PAGE_LIMIT_DEFAULT = 20;
export const PAGE_LIMIT_MAX = 100;

// Query values arrive as strings: plain decimal digits become a number, anything else (a
// sign, a fraction, `1e3`, a repeated parameter's array) stays as it is and fails IsInt.
const digitsToNumber = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;

/** An optional non-negative integer in the query string, within min..max. */
export const QueryInt = (options: {
  min: number;
  max: number;
  description: string;
  example: number;
  default?: number;
}): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'integer',
      minimum: options.min,
      maximum: options.max,
      default: options.default,
      description: options.description,
      example: options.example,
    }),
    IsOptional(),
    Transform(digitsToNumber),
    IsInt(),
    Min(options.min),
    Max(options.max),
  );

/** `?limit=` of a list: 1..100, default 20. */
export const PageLimitField = (): PropertyDecorator =>
  QueryInt({
    min: 1,
    max: PAGE_LIMIT_MAX,
    default: PAGE_LIMIT_DEFAULT,
    description: 'Items per page.',
    example: PAGE_LIMIT_DEFAULT,
  });
