// Boots the file, session-files and quota repositories (with the session ones, to create sessions
// and read their events) on a fresh database of the devstack (or MONGODB_URI) for the specs, with
// helpers that build their inputs.
import { newPublicId } from '@app/common';
import type { Document } from 'mongodb';
import type { Collection } from 'mongoose';
import { EventRepository } from '../src/events/event.repository.js';
import { FileDatabaseModule } from '../src/files/file-database.module.js';
import { FileRepository, type NewFile } from '../src/files/file.repository.js';
import { SessionFilesRepository } from '../src/files/session-files.repository.js';
import { QuotaDatabaseModule } from '../src/quotas/quota-database.module.js';
import { QuotaRepository } from '../src/quotas/quota.repository.js';
import { SessionDatabaseModule } from '../src/sessions/session-database.module.js';
import { SessionRepository } from '../src/sessions/session.repository.js';
import { startDatabaseFixture, type DatabaseFixture } from './database-fixture.js';
import { hour, type StoredDoc } from './session-repositories.js';

export interface FileRepositoriesFixture extends DatabaseFixture {
  files: FileRepository;
  sessionFiles: SessionFilesRepository;
  quotas: QuotaRepository;
  sessions: SessionRepository;
  events: EventRepository;
  /** A collection through the driver, past the repositories. */
  raw<T extends Document = StoredDoc>(name: 'files' | 'sessions' | 'quota_days'): Collection<T>;
}

/** FileDatabaseModule and QuotaDatabaseModule, next to SessionDatabaseModule as in the app. */
export async function startFileRepositories(prefix = 'files'): Promise<FileRepositoriesFixture> {
  const fixture = await startDatabaseFixture(prefix, [
    SessionDatabaseModule,
    FileDatabaseModule,
    QuotaDatabaseModule,
  ]);
  const get = fixture.moduleRef.get.bind(fixture.moduleRef);
  return {
    ...fixture,
    files: get(FileRepository),
    sessionFiles: get(SessionFilesRepository),
    quotas: get(QuotaRepository),
    sessions: get(SessionRepository),
    events: get(EventRepository),
    raw: <T extends Document = StoredDoc>(name: string) => fixture.connection.collection<T>(name),
  };
}

/** A pending single-PUT file of `sessionId` (a fresh id; override anything). */
export const newFile = (overrides: Partial<NewFile> = {}): NewFile => {
  const id = overrides.id ?? newPublicId();
  const sessionId = overrides.sessionId ?? newPublicId();
  const createdAt = overrides.createdAt ?? new Date();
  return {
    id,
    sessionId,
    ownerId: 'owner-1',
    uploadedBy: { kind: 'user', id: 'owner-1' },
    name: 'photo.png',
    contentType: 'image/png',
    size: 1234,
    sha256: 'a'.repeat(64),
    storageKey: `sessions/${sessionId}/files/${id}`,
    upload: { mode: 'single' },
    uploadExpiresAt: new Date(createdAt.getTime() + 24 * hour),
    uploadUrlExpiresAt: new Date(createdAt.getTime() + hour / 6),
    quotaDay: createdAt.toISOString().slice(0, 10),
    maxDownloads: 10,
    createdAt,
    ...overrides,
  };
};
