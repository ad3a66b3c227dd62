import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { SECRET_MAX_LENGTH } from './claim-pairing.dto.js';

export class PollPairingDto {
  @ApiProperty({
    description: 'The `pollSecret` of the 202 claim answer.',
    maxLength: SECRET_MAX_LENGTH,
    example: 'kY2pQ9rT4vX7zB1nM5cL8wE3sA6dF0gH2jK4lP7oI9u',
  })
  @IsString()
  @Length(1, SECRET_MAX_LENGTH)
  pollSecret!: string;
}
