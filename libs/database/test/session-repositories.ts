// Boots the session, device, event and pairing repositories on a fresh database of the devstack
// (or MONGODB_URI) for the repository specs, with helpers that build their inputs.
import { newPublicId } from '@app/common';
import type { Document } from 'mongodb';
import type { Collection } from 'mongoose';
import { PairingDatabaseModule } from '../src/pairings/pairing-database.module.js';
import type { NewDevice } from '../src/sessions/device.repository.js';
import { SessionDatabaseModule } from '../src/sessions/session-database.module.js';
import type { NewSession } from '../src/sessions/session.repository.js';
import type { SessionEventInput, SessionLimits } from '../src/sessions/session.types.js';
import {
  startDatabaseFixture,
  type DatabaseFixture,
  type DatabaseFixtureOptions,
} from './database-fixture.js';

/** A stored document as the driver returns it: string `_id`, the rest untyped. */
export type StoredDoc = { _id: string } & Document;

export interface SessionRepositoriesFixture extends DatabaseFixture {
  /** A collection through the driver, past the repositories (string `_id` unless told). */
  raw<T extends Document = StoredDoc>(name: 'sessions' | 'pairings' | 'events'): Collection<T>;
}

export async function startSessionRepositories(
  options: DatabaseFixtureOptions = {},
): Promise<SessionRepositoriesFixture> {
  const fixture = await startDatabaseFixture(
    'sessions',
    [SessionDatabaseModule, PairingDatabaseModule],
    options,
  );
  return {
    ...fixture,
    raw: <T extends Document = StoredDoc>(name: string) => fixture.connection.collection<T>(name),
  };
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
