// Boots the session, device, event and pairing repositories on a fresh database of the devstack
// (or MONGODB_URI) for the repository specs, with helpers that build their inputs.
import { newPublicId } from '@app/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { Test, type TestingModule } from '@nestjs/testing';
import { ConfigModule, loadConfig } from '@app/config';
import type { Document } from 'mongodb';
import type { Collection, Connection } from 'mongoose';
import {
  randomSuffix,
  startTestBackends,
  type TestBackends,
} from '../../../test/support/backends.js';
import { DatabaseModule } from '../src/database.module.js';
import { PairingDatabaseModule } from '../src/pairings/pairing-database.module.js';
import type { NewDevice } from '../src/sessions/device.repository.js';
import { SessionDatabaseModule } from '../src/sessions/session-database.module.js';
import type { NewSession } from '../src/sessions/session.repository.js';
import type { SessionEventInput, SessionLimits } from '../src/sessions/session.types.js';

/** A stored document as the driver returns it: string `_id`, the rest untyped. */
export type StoredDoc = { _id: string } & Document;

export interface SessionRepositoriesFixture {
  moduleRef: TestingModule;
  /** The raw connection, for looking at (and tampering with) what is stored. */
  connection: Connection;
  /** A collection through the driver, past the repositories (string `_id` unless told). */
  raw<T extends Document = StoredDoc>(name: 'sessions' | 'pairings' | 'events'): Collection<T>;
  close(): Promise<void>;
}

export async function startSessionRepositories(): Promise<SessionRepositoriesFixture> {
  const backends: TestBackends = await startTestBackends();
  try {
    const config = loadConfig({
      NODE_ENV: 'test',
      MONGODB_URI: `${backends.mongoUri}/sx_sessions_${randomSuffix()}`,
      S3_ENDPOINT: backends.s3.endpoint,
      S3_ACCESS_KEY_ID: backends.s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: backends.s3.secretAccessKey,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(),
        SessionDatabaseModule,
        PairingDatabaseModule,
      ],
    }).compile();
    await moduleRef.init();
    const connection = moduleRef.get<Connection>(getConnectionToken());
    // Indexes first: the concurrency specs rely on the unique ones.
    await Promise.all(Object.values(connection.models).map((model) => model.init()));
    return {
      moduleRef,
      connection,
      raw: <T extends Document = StoredDoc>(name: string) => connection.collection<T>(name),
      close: async () => {
        await moduleRef.close();
        await backends.stop();
      },
    };
  } catch (error) {
    await backends.stop();
    throw error;
  }
}

export const minute = 60_000;
export const hour = 3_600_000;

export const limits = (overrides: Partial<SessionLimits> = {}): SessionLimits => ({
  maxDevices: 5,
  maxFiles: 100,
  maxTotalBytes: 1_000_000,
  maxFileBytes: 100_000,
  maxDownloadsPerFile: 10,
  ...overrides,
});

export const newSession = (overrides: Partial<NewSession> = {}): NewSession => {
  const createdAt = overrides.createdAt ?? new Date();
  return {
    id: newPublicId(),
    ownerId: 'owner-1',
    name: 'Holiday photos',
    guestPermissions: ['upload', 'download'],
    requireApproval: false,
    limits: limits(),
    createdAt,
    expiresAt: new Date(createdAt.getTime() + hour),
    ...overrides,
  };
};

export const newDevice = (overrides: Partial<NewDevice> = {}): NewDevice => ({
  id: newPublicId(),
  name: 'Phone',
  userAgent: 'Mozilla/5.0 (test)',
  status: 'active',
  permissions: ['upload', 'download'],
  pairingId: newPublicId(),
  createdAt: new Date(),
  ...overrides,
});

export const event = (type: string, data: SessionEventInput['data'] = {}): SessionEventInput => ({
  type,
  data,
});
