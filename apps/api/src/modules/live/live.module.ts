import { Module } from '@nestjs/common';

/** Live updates: GET /v1/sessions/:sessionId/events (Server-Sent Events). */
@Module({})
export class LiveModule {}
