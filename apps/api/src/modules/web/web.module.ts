import { Module } from '@nestjs/common';

/** The web client (apps/web, built to static files), served at / and /pair. */
@Module({})
export class WebModule {}
