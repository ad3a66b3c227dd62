import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { Public } from '@app/common';
import { JwksResponse } from './dto/jwks.response.js';
import { KeyRing } from './keys/key-ring.js';

@ApiTags('auth')
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: KeyRing) {}

  @Get('jwks.json')
  @Public()
  // Short enough that a newly added key is seen well before it signs anything.
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: 'Public keys that verify our access tokens (RFC 7517)' })
  @ApiOkResponse({ type: JwksResponse })
  @ApiTooManyRequestsResponse({ description: 'Rate limited (RATE_LIMITED, Retry-After).' })
  jwks(): JwksResponse {
    return this.keys.jwks;
  }
}
