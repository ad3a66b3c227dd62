import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { Auth, CurrentPrincipal, type Principal } from '@app/common';
import { ActivityService } from './activity.service.js';
import { ActivityPageResponse } from './dto/activity.response.js';
import { ListActivityQuery } from './dto/list-activity.query.js';
import { SessionIdParam } from './session-param.js';

@ApiTags('sessions')
@ApiTooManyRequestsResponse({ description: 'Rate limited (RATE_LIMITED, Retry-After).' })
@Controller('v1/sessions/:sessionId/activity')
export class ActivityController {
  constructor(private readonly activity: ActivityService) {}

  @Get()
  @Auth('user', 'device')
  @SessionIdParam()
  @ApiOperation({ summary: 'The session’s events, oldest first, with no gaps in seq' })
  @ApiOkResponse({ type: ActivityPageResponse, description: 'One page of events.' })
  @ApiBadRequestResponse({ description: 'Bad after, cursor or limit (VALIDATION_FAILED).' })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('sessionId') sessionId: string,
    @Query() query: ListActivityQuery,
  ): Promise<ActivityPageResponse> {
    return this.activity.list(principal, sessionId, query);
  }
}
