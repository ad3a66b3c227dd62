import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, Length, MaxLength } from 'class-validator';

// Trim strings only: a non-string (e.g. `{ "$gt": "" }`) must reach the validators unchanged
// and be refused there.
export const trimString = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

export class RegisterUserDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @Transform(trimString)
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email!: string;

  @ApiProperty({ minLength: 8, maxLength: 128, example: 'correct horse battery staple' })
  @IsString()
  @Length(8, 128)
  password!: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 100, example: 'Ada' })
  @IsOptional()
  @Transform(trimString)
  @IsString()
  @Length(1, 100)
  displayName?: string;
}
