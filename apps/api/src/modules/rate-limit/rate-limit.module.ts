import { Module } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { RateLimitDatabaseModule, RateLimitRepository } from '@app/database';
import { AppThrottlerGuard } from './app-throttler.guard.js';
import { throttlerOptions } from './throttler-options.js';

/**
 * The shared rate limit: a global guard over every route, with counters in MongoDB so all
 * replicas enforce one budget per client (claimed in shares, with no round trip for most
 * requests: reserving-throttler.storage.ts). Routes opt into stricter limits, counted exactly,
 * with the decorators exported from this module's index.
 *
 * Global guards run in the order their modules are scanned: AppModule imports this module before
 * AuthModule, so a request is counted (and refused when over budget) before any token work,
 * anonymous floods on protected routes included.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [RateLimitDatabaseModule],
      inject: [APP_CONFIG, RateLimitRepository, Reflector],
      useFactory: (config: AppConfig, limits: RateLimitRepository, reflector: Reflector) =>
        throttlerOptions(config, limits, reflector),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: AppThrottlerGuard }],
})
export class RateLimitModule {}
