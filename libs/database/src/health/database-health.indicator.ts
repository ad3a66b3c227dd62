import { Inject, Injectable } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { Connection } from 'mongoose';

// A readiness probe must answer fast even when the server selection timeout is longer.
const PING_TIMEOUT_MS = 1000;

/** Readiness of MongoDB: `ping` on the application's connection, bounded by a short timeout. */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    @Inject(HealthIndicatorService) private readonly health: HealthIndicatorService,
    @Inject(getConnectionToken()) private readonly connection: Connection,
  ) {}

  async isHealthy<const Key extends string = 'mongo'>(
    key: Key = 'mongo' as Key,
  ): Promise<HealthIndicatorResult<Key>> {
    return this.health
      .check(key)
      .attempt(async () => {
        const db = this.connection.db;
        if (db === undefined) throw new Error('not connected');
        try {
          await db.admin().ping();
        } catch (err) {
          // Only the error class: driver messages can name internal hosts.
          throw new Error(err instanceof Error ? err.name : 'ping failed', { cause: err });
        }
      })
      .withTimeout(PING_TIMEOUT_MS);
  }
}
