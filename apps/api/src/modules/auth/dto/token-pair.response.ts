import { ApiProperty } from '@nestjs/swagger';

export class TokenPairResponse {
  @ApiProperty({
    description: 'RS256 JWT (typ at+jwt, aud sharexpress:user), sent as a Bearer token.',
  })
  accessToken!: string;

  @ApiProperty({ description: 'Opaque, single use: every refresh returns a new one.' })
  refreshToken!: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  @ApiProperty({ description: 'Seconds until the access token expires.', example: 900 })
  expiresIn!: number;
}
