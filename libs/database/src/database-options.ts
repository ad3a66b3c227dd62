import type { MongooseModuleFactoryOptions } from '@nestjs/mongoose';

export interface DatabaseTuning {
  maxPoolSize: number;
  minPoolSize: number;
  /** How long an operation waits for a usable server before failing (ms). */
  serverSelectionTimeoutMS: number;
  connectTimeoutMS: number;
  /** Idle socket limit: a connection that stops answering is dropped (ms). */
  socketTimeoutMS: number;
  heartbeatFrequencyMS: number;
  /** Connection attempts at startup before the application gives up. */
  retryAttempts: number;
  retryDelay: number;
}

export const DEFAULT_DATABASE_TUNING: DatabaseTuning = {
  maxPoolSize: 20,
  minPoolSize: 0,
  serverSelectionTimeoutMS: 5000,
  connectTimeoutMS: 5000,
  socketTimeoutMS: 30_000,
  heartbeatFrequencyMS: 10_000,
  retryAttempts: 5,
  retryDelay: 2000,
};

/** The Mongoose connection options every process uses. */
export function buildMongooseOptions(
  uri: string,
  tuning: Partial<DatabaseTuning> = {},
): MongooseModuleFactoryOptions {
  const t = { ...DEFAULT_DATABASE_TUNING, ...tuning };
  return {
    uri,
    maxPoolSize: t.maxPoolSize,
    minPoolSize: t.minPoolSize,
    serverSelectionTimeoutMS: t.serverSelectionTimeoutMS,
    connectTimeoutMS: t.connectTimeoutMS,
    socketTimeoutMS: t.socketTimeoutMS,
    heartbeatFrequencyMS: t.heartbeatFrequencyMS,
    retryAttempts: t.retryAttempts,
    retryDelay: t.retryDelay,
    // A down database must fail the request (→ 503) instead of queueing it in memory.
    bufferCommands: false,
    // Index builds are idempotent (createIndexes is a no-op for an existing identical index), so
    // every replica declares its indexes at startup; schemas stay the single source of truth.
    autoIndex: true,
    autoCreate: true,
  };
}
