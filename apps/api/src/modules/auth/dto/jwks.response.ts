import { ApiProperty } from '@nestjs/swagger';

export class JwkResponse {
  @ApiProperty({ enum: ['RSA'] })
  kty!: 'RSA';

  @ApiProperty()
  kid!: string;

  @ApiProperty({ enum: ['RS256'] })
  alg!: 'RS256';

  @ApiProperty({ enum: ['sig'] })
  use!: 'sig';

  @ApiProperty({ description: 'Modulus, base64url.' })
  n!: string;

  @ApiProperty({ description: 'Exponent, base64url.', example: 'AQAB' })
  e!: string;
}

export class JwksResponse {
  @ApiProperty({ type: [JwkResponse] })
  keys!: JwkResponse[];
}
