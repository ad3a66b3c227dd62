import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const PAIRING_MIN_TTL_SECONDS = 30;
export const PAIRING_MAX_TTL_SECONDS = 600;

export class CreatePairingDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: PAIRING_MIN_TTL_SECONDS,
    maximum: PAIRING_MAX_TTL_SECONDS,
    description: 'How long the pairing can be claimed; default PAIRING_DEFAULT_TTL_SECONDS (120).',
    example: 120,
  })
  @IsOptional()
  @IsInt()
  @Min(PAIRING_MIN_TTL_SECONDS)
  @Max(PAIRING_MAX_TTL_SECONDS)
  ttlSeconds?: number;
}
