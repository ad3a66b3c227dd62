import { Body, Controller, Headers, HttpCode, HttpStatus, Post, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiGoneResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@app/common';
import { CredentialsRateLimit, PairingPollRateLimit } from '../rate-limit/index.js';
import { ClaimService, type ClaimReply, type ClaimResult } from './claim.service.js';
import { ActiveClaimResponse, PendingClaimResponse } from './dto/claim.response.js';
import { ClaimPairingDto } from './dto/claim-pairing.dto.js';
import { PollPairingDto } from './dto/poll-pairing.dto.js';
import { PollService } from './poll.service.js';

/** Sends the status the service chose with its body (the reply is passed through). */
function withStatus(reply: FastifyReply, { httpStatus, body }: ClaimReply): ClaimResult {
  void reply.status(httpStatus);
  return body;
}

@ApiTags('pairing')
@ApiExtraModels(ActiveClaimResponse, PendingClaimResponse)
@Public()
@Controller('v1/pairings')
export class ClaimsController {
  constructor(
    private readonly claims: ClaimService,
    private readonly polls: PollService,
  ) {}

  @Post('claim')
  @CredentialsRateLimit()
  @ApiOperation({
    summary: 'Claim a pairing with its secret or code: become a device of the session',
  })
  @ApiCreatedResponse({ type: ActiveClaimResponse, description: 'Active device with its token.' })
  @ApiAcceptedResponse({
    type: PendingClaimResponse,
    description: 'The session requires approval: poll POST /v1/pairings/poll.',
  })
  @ApiBadRequestResponse({
    description:
      'Not exactly one of secret and code, wrong types, unknown field (VALIDATION_FAILED).',
  })
  @ApiUnauthorizedResponse({
    description: 'Unknown, spent or expired secret or code, all alike (UNAUTHENTICATED).',
  })
  @ApiConflictResponse({
    description:
      'The session has all the devices it allows, or has had max(4 × maxDevices, 20) devices ' +
      'in all (CONFLICT).',
  })
  @ApiGoneResponse({ description: 'The session is closed or expired (SESSION_EXPIRED).' })
  async claim(
    @Body() body: ClaimPairingDto,
    @Headers('user-agent') userAgent: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ClaimResult> {
    return withStatus(reply, await this.claims.claim(body, userAgent));
  }

  @Post('poll')
  @HttpCode(HttpStatus.OK)
  @PairingPollRateLimit()
  @ApiOperation({ summary: 'Poll for the owner’s decision on a pending device (RFC 8628)' })
  @ApiOkResponse({
    type: ActiveClaimResponse,
    description: 'Approved: the token, handed out once.',
  })
  @ApiBadRequestResponse({
    description:
      'AUTHORIZATION_PENDING (keep polling), SLOW_DOWN (polled faster than interval; the interval ' +
      'grew by 5 s), or an invalid body (VALIDATION_FAILED).',
  })
  @ApiUnauthorizedResponse({
    description: 'Unknown, spent or expired poll secret, or the session ended (UNAUTHENTICATED).',
  })
  @ApiForbiddenResponse({ description: 'The owner rejected or revoked the device (FORBIDDEN).' })
  poll(@Body() body: PollPairingDto): Promise<ActiveClaimResponse> {
    return this.polls.poll(body.pollSecret);
  }
}
