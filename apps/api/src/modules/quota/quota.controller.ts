import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { Auth, CurrentUser, type UserPrincipal } from '@app/common';
import { QuotaResponse } from './quota.response.js';
import { QuotaService } from './quota.service.js';

@ApiTags('quota')
@Controller('v1/quota')
export class QuotaController {
  constructor(private readonly quota: QuotaService) {}

  @Get()
  @Auth('user')
  @ApiOperation({ summary: 'Today’s upload quota of the caller (files and bytes, per UTC day)' })
  @ApiOkResponse({ type: QuotaResponse, description: 'Used and limit, and when it resets.' })
  @ApiTooManyRequestsResponse({ description: 'Rate limited (RATE_LIMITED, Retry-After).' })
  get(@CurrentUser() user: UserPrincipal): Promise<QuotaResponse> {
    return this.quota.get(user);
  }
}
