import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiGoneResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import {
  Auth,
  CurrentPrincipal,
  CurrentUser,
  type Principal,
  type UserPrincipal,
} from '@app/common';
import { CreateSessionDto } from './dto/create-session.dto.js';
import { ListSessionsQuery } from './dto/list-sessions.query.js';
import { SessionPageResponse } from './dto/session-page.response.js';
import { SessionResponse } from './dto/session.response.js';
import { UpdateSessionDto } from './dto/update-session.dto.js';
import { SessionIdParam } from './session-param.js';
import { SessionsService } from './sessions.service.js';

const INVALID_BODY = {
  description:
    'Invalid body: unknown field, wrong type or a value outside the server bounds (VALIDATION_FAILED).',
};

@ApiTags('sessions')
@ApiTooManyRequestsResponse({ description: 'Rate limited (RATE_LIMITED, Retry-After).' })
@Controller('v1/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Post()
  @Auth('user')
  @ApiOperation({ summary: 'Create a sharing session' })
  @ApiCreatedResponse({ type: SessionResponse, description: 'The new session, active.' })
  @ApiBadRequestResponse(INVALID_BODY)
  create(
    @CurrentUser() user: UserPrincipal,
    @Body() body: CreateSessionDto,
  ): Promise<SessionResponse> {
    return this.sessions.create(user, body);
  }

  @Get()
  @Auth('user')
  @ApiOperation({ summary: 'The caller’s sessions, newest first' })
  @ApiOkResponse({ type: SessionPageResponse, description: 'One page of sessions.' })
  @ApiBadRequestResponse({ description: 'Bad limit or cursor (VALIDATION_FAILED).' })
  list(
    @CurrentUser() user: UserPrincipal,
    @Query() query: ListSessionsQuery,
  ): Promise<SessionPageResponse> {
    return this.sessions.list(user, query);
  }

  @Get(':sessionId')
  @Auth('user', 'device')
  @SessionIdParam()
  @ApiOperation({ summary: 'A session, for its owner or a device paired to it' })
  @ApiOkResponse({ type: SessionResponse, description: 'Also for a closed or expired session.' })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('sessionId') sessionId: string,
  ): Promise<SessionResponse> {
    return this.sessions.get(principal, sessionId);
  }

  @Patch(':sessionId')
  @Auth('user')
  @SessionIdParam()
  @ApiOperation({ summary: 'Rename a session or set its expiry to now + ttlSeconds' })
  @ApiOkResponse({ type: SessionResponse, description: 'The session as changed.' })
  @ApiBadRequestResponse({
    ...INVALID_BODY,
    description: `${INVALID_BODY.description} Also an empty body.`,
  })
  @ApiGoneResponse({ description: 'The session is closed or expired (SESSION_EXPIRED).' })
  update(
    @CurrentUser() user: UserPrincipal,
    @Param('sessionId') sessionId: string,
    @Body() body: UpdateSessionDto,
  ): Promise<SessionResponse> {
    return this.sessions.update(user, sessionId, body);
  }

  @Delete(':sessionId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Auth('user')
  @SessionIdParam()
  @ApiOperation({ summary: 'Close a session: every device token stops working at once' })
  @ApiNoContentResponse({
    description: 'Closed, also when it had expired; already closed: unchanged, also 204.',
  })
  close(@CurrentUser() user: UserPrincipal, @Param('sessionId') sessionId: string): Promise<void> {
    return this.sessions.close(user, sessionId);
  }
}
