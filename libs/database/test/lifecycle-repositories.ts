// Boots the worker's lifecycle repositories next to the session and file ones (to create what they
// work on and read it back) on a fresh database of the devstack (or MONGODB_URI) for the specs.
import type { Document } from 'mongodb';
import type { Collection } from 'mongoose';
import { EventRepository } from '../src/events/event.repository.js';
import { FileDatabaseModule } from '../src/files/file-database.module.js';
import { FileRepository } from '../src/files/file.repository.js';
import { FileLifecycleRepository } from '../src/lifecycle/file-lifecycle.repository.js';
import { LifecycleDatabaseModule } from '../src/lifecycle/lifecycle-database.module.js';
import { SessionLifecycleRepository } from '../src/lifecycle/session-lifecycle.repository.js';
import { SessionDatabaseModule } from '../src/sessions/session-database.module.js';
import { SessionRepository } from '../src/sessions/session.repository.js';
import {
  startDatabaseFixture,
  type DatabaseFixture,
  type DatabaseFixtureOptions,
} from './database-fixture.js';
import type { StoredDoc } from './session-repositories.js';

export interface LifecycleRepositoriesFixture extends DatabaseFixture {
  fileLifecycle: FileLifecycleRepository;
  sessionLifecycle: SessionLifecycleRepository;
  files: FileRepository;
  sessions: SessionRepository;
  events: EventRepository;
  /** A collection through the driver, past the repositories. */
  raw<T extends Document = StoredDoc>(name: 'files' | 'sessions' | 'events'): Collection<T>;
}

/** LifecycleDatabaseModule next to SessionDatabaseModule and FileDatabaseModule, as in the worker. */
export async function startLifecycleRepositories(
  prefix: string,
  options: DatabaseFixtureOptions = {},
): Promise<LifecycleRepositoriesFixture> {
  const fixture = await startDatabaseFixture(
    prefix,
    [SessionDatabaseModule, FileDatabaseModule, LifecycleDatabaseModule],
    options,
  );
  const get = fixture.moduleRef.get.bind(fixture.moduleRef);
  return {
    ...fixture,
    fileLifecycle: get(FileLifecycleRepository),
    sessionLifecycle: get(SessionLifecycleRepository),
    files: get(FileRepository),
    sessions: get(SessionRepository),
    events: get(EventRepository),
    raw: <T extends Document = StoredDoc>(name: string) => fixture.connection.collection<T>(name),
  };
}
