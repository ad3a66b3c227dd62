import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Auth, CurrentUser, type UserPrincipal } from '@app/common';
import { SessionIdParam } from '../sessions/index.js';
import { CreatePairingDto } from './dto/create-pairing.dto.js';
import { PairingResponse } from './dto/pairing.response.js';
import { QrQueryDto } from './dto/qr-query.dto.js';
import { PairingService } from './pairing.service.js';

const QR_BODY = { schema: { type: 'string', format: 'binary' } };

@ApiTags('pairing')
@ApiTooManyRequestsResponse({ description: 'Rate limited (RATE_LIMITED, Retry-After).' })
@Auth('user')
@Controller('v1/sessions/:sessionId/pairings')
export class PairingsController {
  constructor(private readonly pairings: PairingService) {}

  @Post()
  @SessionIdParam()
  @ApiOperation({ summary: 'Create a pairing: a QR secret and a short code, claimable once' })
  @ApiCreatedResponse({ type: PairingResponse })
  @ApiBadRequestResponse({
    description: 'Unknown field or ttlSeconds outside 30..600 (VALIDATION_FAILED).',
  })
  @ApiGoneResponse({ description: 'The session is closed or expired (SESSION_EXPIRED).' })
  create(
    @CurrentUser() user: UserPrincipal,
    @Param('sessionId') sessionId: string,
    @Body() body: CreatePairingDto,
  ): Promise<PairingResponse> {
    return this.pairings.create(user, sessionId, body.ttlSeconds);
  }

  @Get(':pairingId/qr')
  @SessionIdParam()
  @ApiParam({
    name: 'pairingId',
    description: 'Public id of the pairing.',
    example: 'q7Lw2mX9cV4bN8zR1tY6uA',
  })
  @ApiOperation({
    summary: 'The pairing URL as a QR code (SVG, PNG or terminal text); never cached',
  })
  @ApiProduces('image/svg+xml', 'image/png', 'text/plain')
  @ApiOkResponse({
    description:
      'The QR code of pairingUrl (level M, 4-module quiet zone); Cache-Control: no-store.',
    content: {
      'image/svg+xml': QR_BODY,
      'image/png': QR_BODY,
      'text/plain': { schema: { type: 'string' } },
    },
  })
  @ApiBadRequestResponse({ description: 'format is not svg, png or txt (VALIDATION_FAILED).' })
  @ApiNotFoundResponse({ description: 'Unknown pairing, or not of this session (NOT_FOUND).' })
  @ApiGoneResponse({
    description:
      'The pairing was claimed or expired, or made with an earlier signing key (GONE); or the ' +
      'session is not active (SESSION_EXPIRED).',
  })
  async qr(
    @CurrentUser() user: UserPrincipal,
    @Param('sessionId') sessionId: string,
    @Param('pairingId') pairingId: string,
    @Query() query: QrQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string | Buffer> {
    const qr = await this.pairings.qr(user, sessionId, pairingId, query.format);
    void reply.header('content-type', qr.contentType).header('cache-control', 'no-store');
    return qr.body;
  }
}
