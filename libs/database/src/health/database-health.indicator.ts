import { Inject, Injectable } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';

// A readiness probe must answer fast even when the server selection timeout is longer.
const PING_TIMEOUT_MS = 1000;
// Backstop in case the driver does not honour the abort signal in time.
const CHECK_TIMEOUT_MS = PING_TIMEOUT_MS + 250;

// What the indicator uses of the application's mongoose connection, typed structurally so that
// no mongoose type leaves libs/database through the barrel.
interface PingableConnection {
  readonly db?: {
    command(command: { ping: 1 }, options: { signal: AbortSignal }): Promise<unknown>;
  };
}

/** Readiness of MongoDB: `ping` on the application's connection, bounded by a short timeout. */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    @Inject(HealthIndicatorService) private readonly health: HealthIndicatorService,
    @Inject(getConnectionToken()) private readonly connection: PingableConnection,
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
          // Aborted at the deadline, the driver leaves server selection and the pool's wait
          // queue, and closes a connection whose answer never came. Merely giving up on the
          // promise would leave each hung probe holding a pooled connection for socketTimeoutMS
          // (30 s), so frequent probes against a hung server could exhaust the pool.
          await db.command({ ping: 1 }, { signal: AbortSignal.timeout(PING_TIMEOUT_MS) });
        } catch (err) {
          // Only the error class: driver messages can name internal hosts.
          throw new Error(err instanceof Error ? err.name : 'ping failed', { cause: err });
        }
      })
      .withTimeout(CHECK_TIMEOUT_MS);
  }
}
