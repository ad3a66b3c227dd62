import { Module } from '@nestjs/common';
import { WebClient } from './web-client.service.js';
import { WebController } from './web.controller.js';

/** The web client (apps/web, built to dist/web), served at /, /pair and /assets/*. */
@Module({ controllers: [WebController], providers: [WebClient] })
export class WebModule {}
