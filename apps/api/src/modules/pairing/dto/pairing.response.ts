import { ApiProperty } from '@nestjs/swagger';

export class PairingResponse {
  @ApiProperty({ description: 'Public id of the pairing.', example: 'q7Lw2mX9cV4bN8zR1tY6uA' })
  id!: string;

  @ApiProperty({
    description:
      'For typing on a device without a camera: 8 characters from BCDFGHJKLMNPQRSTVWXZ, compared ' +
      'without the dash and case-insensitively. Shown only here.',
    example: 'BCDF-GHJK',
  })
  code!: string;

  @ApiProperty({
    description:
      'PUBLIC_URL/pair#<secret>: what the QR code holds. The secret travels in the fragment only.',
    example: 'https://share.example.com/pair#3q2-7wZx0dVbP9m4QkR8sT1uY6cN5aH2jL0fE7gI3oK',
  })
  pairingUrl!: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-01T12:02:00.000Z' })
  expiresAt!: string;
}
