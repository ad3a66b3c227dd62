import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength } from 'class-validator';

// Trim strings only: a non-string (e.g. `{ "$gt": "" }`) must reach the validators unchanged
// and be refused there.
export const trimString = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

/** The email field of register and login: one definition, so the two can never disagree. */
export const EmailField = (): PropertyDecorator =>
  applyDecorators(
    ApiProperty({ example: 'ada@example.com', maxLength: 254 }),
    Transform(trimString),
    IsString(),
    MaxLength(254),
    IsEmail(),
  );
