import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { AppError, Public } from '@app/common';
import { negotiate, type WebFile } from './web-build.js';
import { BUILD_HINT, WebClient } from './web-client.service.js';
import { ASSET_CACHE_CONTROL, HTML_CACHE_CONTROL } from './web-headers.js';

/**
 * The web client: index.html at / and at /pair (where a pairing QR code lands), its hashed files
 * at /assets/<name>. Static files from memory: not rate-limited, not in the OpenAPI document.
 */
@ApiExcludeController()
@Public()
@SkipThrottle()
@Controller()
export class WebController {
  constructor(private readonly web: WebClient) {}

  @Get()
  async home(@Headers('accept-encoding') encoding: string | undefined, @Res() reply: FastifyReply) {
    await this.page(encoding, reply);
  }

  @Get('pair')
  async pair(@Headers('accept-encoding') encoding: string | undefined, @Res() reply: FastifyReply) {
    await this.page(encoding, reply);
  }

  @Get('assets/:name')
  async asset(
    @Param('name') name: string,
    @Headers('accept-encoding') encoding: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    const file = (await this.web.current())?.asset(name);
    if (file === undefined) throw new AppError('NOT_FOUND', `No asset ${name} in this build.`);
    this.send(reply, file, ASSET_CACHE_CONTROL, encoding);
  }

  private async page(encoding: string | undefined, reply: FastifyReply): Promise<void> {
    const build = await this.web.current();
    if (build === null) {
      throw new AppError('NOT_FOUND', `The web client is not built on this server. ${BUILD_HINT}`);
    }
    this.send(reply, build.index, HTML_CACHE_CONTROL, encoding);
  }

  // Set after helmet's headers, so these replace its API-wide CSP.
  private send(reply: FastifyReply, file: WebFile, cacheControl: string, encoding?: string): void {
    const { body, encoding: used } = negotiate(file, encoding);
    reply
      .header('content-type', file.contentType)
      .header('cache-control', cacheControl)
      .header('content-security-policy', this.web.contentSecurityPolicy)
      .header('referrer-policy', 'no-referrer')
      .header('x-content-type-options', 'nosniff');
    if (file.br !== undefined || file.gzip !== undefined) varyOn(reply, 'accept-encoding');
    if (used !== undefined) reply.header('content-encoding', used);
    void reply.send(body);
  }
}

/** Adds `name` to Vary, keeping what CORS put there (Origin). */
function varyOn(reply: FastifyReply, name: string): void {
  const current = reply.getHeader('vary');
  const list = (Array.isArray(current) ? current.join(',') : String(current ?? ''))
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (!list.some((v) => v.toLowerCase() === name)) list.push(name);
  reply.header('vary', list.join(', '));
}
