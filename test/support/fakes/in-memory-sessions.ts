// Sessions, their embedded devices, their events and pairings in process memory, for service
// specs. Same contracts as the MongoDB repositories (libs/database/src/sessions, events,
// pairings): every state change allocates the next `seq` and records its event; records handed
// out are copies. One InMemorySessionStore backs the session, device and event repositories, as
// one collection does in MongoDB, and the pairing repository next to them.
//
//   const store = new InMemorySessionStore();
//   const service = new DeviceAccessService(store.sessions, store.devices);
import { AppError } from '@app/common';
import {
  deviceHistoryCap,
  DeviceRepository,
  EventRepository,
  PairingRepository,
  SessionRepository,
  type AddDeviceResult,
  type ClaimGrant,
  type DeviceRecord,
  type DeviceStatus,
  type EventRecord,
  type NewDevice,
  type NewPairing,
  type NewSession,
  type PairingLookup,
  type PairingRecord,
  type PollResult,
  type SessionChange,
  type SessionEventInput,
  type SessionPage,
  type SessionRecord,
} from '@app/database';

const copyDevice = (d: DeviceRecord): DeviceRecord => ({ ...d, permissions: [...d.permissions] });
const copySession = (s: SessionRecord): SessionRecord => ({
  ...s,
  guestPermissions: [...s.guestPermissions],
  limits: { ...s.limits },
  stats: { ...s.stats },
  devices: s.devices.map(copyDevice),
});
const isLive = (s: SessionRecord, now: Date): boolean =>
  s.status === 'active' && s.expiresAt.getTime() > now.getTime();
const COUNTED: readonly DeviceStatus[] = ['pending', 'active'];

export class InMemorySessionStore {
  readonly records = new Map<string, SessionRecord>();
  readonly events: EventRecord[] = [];
  /** Test hook: every call made, in order (`findById:<id>`, `touch:<deviceId>` …). */
  readonly calls: string[] = [];
  /**
   * Test hook: when set, repository calls reject with `error` (a database outage); with
   * `onlyCalls`, only the calls whose name starts with it (e.g. 'touch:'). With `lostReply`
   * the call takes effect first and only its reply is lost (the write committed, the driver
   * threw).
   */
  failure: { error: Error; onlyCalls?: string; lostReply?: boolean } | undefined;
  /** Test hook: runs before each call (e.g. to close a session just before `recordEvent:`). */
  beforeCall: ((name: string) => void) | undefined;

  /** Pairings by id, with the hashes the repository keeps to itself. */
  readonly pairingRecords = new Map<string, StoredPairing>();

  readonly sessions: InMemorySessionRepository = new InMemorySessionRepository(this);
  readonly devices: InMemoryDeviceRepository = new InMemoryDeviceRepository(this);
  readonly eventLog: InMemoryEventRepository = new InMemoryEventRepository(this);
  readonly pairings: InMemoryPairingRepository = new InMemoryPairingRepository(this);

  /** Resolves `run()` as a repository call would, or rejects with `failure`. */
  call<T>(name: string, run: () => T): Promise<T> {
    this.calls.push(name);
    this.beforeCall?.(name);
    const failure = this.failure;
    const fails =
      failure !== undefined &&
      (failure.onlyCalls === undefined || name.startsWith(failure.onlyCalls));
    try {
      if (fails && failure.lostReply !== true) return Promise.reject(failure.error);
      const result = run();
      return fails ? Promise.reject(failure.error) : Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Allocates the next seq of `session` and records `event` at `at` (mutates `session`). */
  record(session: SessionRecord, event: SessionEventInput, at: Date): void {
    session.seq += 1;
    this.events.push({
      sessionId: session.id,
      seq: session.seq,
      type: event.type,
      at,
      data: { ...event.data },
    });
  }

  /** Test hook: a stored session, edited in place (e.g. to move expiresAt). */
  get(id: string): SessionRecord | undefined {
    return this.records.get(id);
  }
}

export class InMemorySessionRepository extends SessionRepository {
  constructor(private readonly store: InMemorySessionStore) {
    super();
  }

  create(session: NewSession, event: SessionEventInput): Promise<SessionRecord> {
    return this.store.call(`create:${session.id}`, () => {
      if (this.store.records.has(session.id)) throw new Error(`duplicate session ${session.id}`);
      const record: SessionRecord = {
        ...session,
        guestPermissions: [...session.guestPermissions],
        limits: { ...session.limits },
        status: 'active',
        stats: { files: 0, bytes: 0, devices: 0 },
        devices: [],
        closedAt: null,
        seq: 0,
      };
      this.store.record(record, event, session.createdAt);
      this.store.records.set(record.id, record);
      return copySession(record);
    });
  }

  findById(id: string): Promise<SessionRecord | null> {
    return this.store.call(`findById:${id}`, () => {
      const found = this.store.records.get(id);
      return found === undefined ? null : copySession(found);
    });
  }

  listByOwner(ownerId: string, limit: number, cursor: string | null): Promise<SessionPage> {
    return this.store.call(`listByOwner:${ownerId}`, () => {
      const all = [...this.store.records.values()]
        .filter((s) => s.ownerId === ownerId)
        .sort(
          (a, b) =>
            b.createdAt.getTime() - a.createdAt.getTime() ||
            (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
        );
      const start = cursor === null ? 0 : Number.parseInt(cursor, 10);
      const items = all.slice(start, start + limit).map(copySession);
      const next = start + limit;
      return { items, nextCursor: next < all.length ? String(next) : null };
    });
  }

  update(
    ownerId: string,
    id: string,
    change: SessionChange,
    now: Date,
    event: SessionEventInput,
  ): Promise<SessionRecord | null> {
    return this.store.call(`update:${id}`, () => {
      const found = this.store.records.get(id);
      if (found?.ownerId !== ownerId || !isLive(found, now)) return null;
      if (change.name !== undefined) found.name = change.name;
      if (change.expiresAt !== undefined) found.expiresAt = change.expiresAt;
      this.store.record(found, event, now);
      return copySession(found);
    });
  }

  close(
    ownerId: string,
    id: string,
    now: Date,
    event: SessionEventInput,
  ): Promise<SessionRecord | null> {
    return this.store.call(`close:${id}`, () => {
      const found = this.store.records.get(id);
      if (found?.ownerId !== ownerId) return null;
      if (found.status !== 'closed') {
        found.status = 'closed';
        found.closedAt = now;
        this.store.record(found, event, now);
      }
      return copySession(found);
    });
  }

  recordEvent(
    ownerId: string,
    id: string,
    now: Date,
    event: SessionEventInput,
  ): Promise<SessionRecord | null> {
    return this.store.call(`recordEvent:${id}`, () => {
      const found = this.store.records.get(id);
      if (found?.ownerId !== ownerId || !isLive(found, now)) return null;
      this.store.record(found, event, now);
      return copySession(found);
    });
  }
}

export class InMemoryDeviceRepository extends DeviceRepository {
  constructor(private readonly store: InMemorySessionStore) {
    super();
  }

  add(
    sessionId: string,
    device: NewDevice,
    now: Date,
    event: SessionEventInput,
  ): Promise<AddDeviceResult> {
    return this.store.call(`add:${device.id}`, (): AddDeviceResult => {
      const found = this.store.records.get(sessionId);
      if (found === undefined) return { ok: false, reason: 'not_found' };
      if (!isLive(found, now)) return { ok: false, reason: 'inactive' };
      if (found.devices.length >= deviceHistoryCap(found.limits.maxDevices)) {
        return { ok: false, reason: 'history_full' };
      }
      if (found.stats.devices >= found.limits.maxDevices) return { ok: false, reason: 'full' };
      found.devices.push({
        ...device,
        permissions: [...device.permissions],
        lastSeenAt: null,
        decidedAt: null,
      });
      found.stats.devices += 1;
      this.store.record(found, event, now);
      return { ok: true, session: copySession(found) };
    });
  }

  transition(
    ownerId: string,
    sessionId: string,
    deviceId: string,
    from: DeviceStatus[],
    to: DeviceStatus,
    now: Date,
    event: SessionEventInput,
    requireLiveSession: boolean,
  ): Promise<SessionRecord | null> {
    return this.store.call(`transition:${deviceId}:${to}`, () => {
      const found = this.store.records.get(sessionId);
      if (found?.ownerId !== ownerId) return null;
      if (requireLiveSession && !isLive(found, now)) return null;
      const device = found.devices.find((d) => d.id === deviceId);
      if (device === undefined || !from.includes(device.status)) return null;
      const counted = COUNTED.includes(device.status);
      device.status = to;
      device.decidedAt = now;
      found.stats.devices += (COUNTED.includes(to) ? 1 : 0) - (counted ? 1 : 0);
      this.store.record(found, event, now);
      return copySession(found);
    });
  }

  countActive(now: Date): Promise<number> {
    return this.store.call('countActive', () =>
      [...this.store.records.values()]
        .filter((s) => isLive(s, now))
        .reduce((n, s) => n + s.devices.filter((d) => d.status === 'active').length, 0),
    );
  }

  touch(sessionId: string, deviceId: string, now: Date, minIntervalMs: number): Promise<void> {
    return this.store.call(`touch:${deviceId}`, () => {
      const device = this.store.records.get(sessionId)?.devices.find((d) => d.id === deviceId);
      if (device === undefined) return;
      if (
        device.lastSeenAt === null ||
        device.lastSeenAt.getTime() < now.getTime() - minIntervalMs
      ) {
        device.lastSeenAt = now;
      }
    });
  }
}

export class InMemoryEventRepository extends EventRepository {
  constructor(private readonly store: InMemorySessionStore) {
    super();
  }

  list(sessionId: string, after: number, limit: number): Promise<EventRecord[]> {
    return this.store.call(`events:${sessionId}`, () =>
      this.store.events
        .filter((e) => e.sessionId === sessionId && e.seq > after)
        .sort((a, b) => a.seq - b.seq)
        .slice(0, limit)
        .map((e) => ({ ...e, data: { ...e.data } })),
    );
  }
}

interface StoredPairing extends PairingRecord {
  codeHash: string;
  pollSecretHash: string | null;
}

// What the repository hands out: the record fields only (the code and poll hashes stay inside).
const copyPairing = (p: StoredPairing): PairingRecord => ({
  id: p.id,
  sessionId: p.sessionId,
  ownerId: p.ownerId,
  secretHash: p.secretHash,
  createdAt: p.createdAt,
  expiresAt: p.expiresAt,
  claimedAt: p.claimedAt,
  deviceId: p.deviceId,
  poll: p.poll === null ? null : { ...p.poll },
  ...(p.nonce === undefined ? {} : { nonce: p.nonce }),
});

export class InMemoryPairingRepository extends PairingRepository {
  constructor(private readonly store: InMemorySessionStore) {
    super();
  }

  create(pairing: NewPairing): Promise<PairingRecord> {
    return this.store.call(`pairings.create:${pairing.id}`, () => {
      const taken = [...this.store.pairingRecords.values()].some(
        (p) => p.codeHash === pairing.codeHash || p.secretHash === pairing.secretHash,
      );
      if (taken) throw new AppError('CONFLICT', 'This pairing code is taken; try another one');
      const stored: StoredPairing = {
        ...pairing,
        claimedAt: null,
        deviceId: null,
        poll: null,
        pollSecretHash: null,
      };
      this.store.pairingRecords.set(pairing.id, stored);
      return copyPairing(stored);
    });
  }

  findOwned(ownerId: string, sessionId: string, id: string): Promise<PairingRecord | null> {
    return this.store.call(`pairings.findOwned:${id}`, () => {
      const found = this.store.pairingRecords.get(id);
      return found?.ownerId === ownerId && found.sessionId === sessionId
        ? copyPairing(found)
        : null;
    });
  }

  delete(id: string): Promise<void> {
    return this.store.call(`pairings.delete:${id}`, () => {
      this.store.pairingRecords.delete(id);
    });
  }

  findById(id: string): Promise<PairingRecord | null> {
    return this.store.call(`pairings.findById:${id}`, () => {
      const found = this.store.pairingRecords.get(id);
      return found === undefined ? null : copyPairing(found);
    });
  }

  claim(lookup: PairingLookup, grant: ClaimGrant): Promise<PairingRecord | null> {
    return this.store.call(`pairings.claim`, () => {
      const found = [...this.store.pairingRecords.values()].find((p) =>
        'secretHash' in lookup
          ? p.secretHash === lookup.secretHash
          : p.codeHash === lookup.codeHash,
      );
      if (found === undefined || found.claimedAt !== null) return null;
      if (found.expiresAt.getTime() <= grant.now.getTime()) return null;
      found.claimedAt = grant.now;
      found.deviceId = grant.deviceId;
      found.pollSecretHash = grant.poll?.secretHash ?? null;
      found.poll =
        grant.poll === null
          ? null
          : {
              expiresAt: grant.poll.expiresAt,
              intervalSeconds: grant.poll.intervalSeconds,
              lastPolledAt: null,
              completedAt: null,
            };
      return copyPairing(found);
    });
  }

  release(id: string, deviceId: string): Promise<void> {
    return this.store.call(`pairings.release:${id}`, () => {
      const found = this.store.pairingRecords.get(id);
      if (found?.deviceId !== deviceId) return;
      found.claimedAt = null;
      found.deviceId = null;
      found.poll = null;
      found.pollSecretHash = null;
    });
  }

  capPoll(id: string, deviceId: string, notAfter: Date): Promise<void> {
    return this.store.call(`pairings.capPoll:${id}`, () => {
      const found = this.store.pairingRecords.get(id);
      if (found?.deviceId !== deviceId || found.poll === null) return;
      if (notAfter.getTime() < found.poll.expiresAt.getTime()) found.poll.expiresAt = notAfter;
    });
  }

  poll(pollSecretHash: string, now: Date, slowDownStepSeconds: number): Promise<PollResult> {
    return this.store.call('pairings.poll', (): PollResult => {
      const found = [...this.store.pairingRecords.values()].find(
        (p) => p.pollSecretHash === pollSecretHash,
      );
      const poll = found?.poll;
      if (found === undefined || poll === null || poll === undefined) return { kind: 'unknown' };
      if (poll.completedAt !== null || poll.expiresAt.getTime() <= now.getTime()) {
        return { kind: 'unknown' };
      }
      const early =
        poll.lastPolledAt !== null &&
        poll.lastPolledAt.getTime() > now.getTime() - poll.intervalSeconds * 1000;
      poll.lastPolledAt = now;
      if (!early) return { kind: 'ok', pairing: copyPairing(found) };
      poll.intervalSeconds += slowDownStepSeconds;
      return {
        kind: 'slow_down',
        intervalSeconds: poll.intervalSeconds,
        pairing: copyPairing(found),
      };
    });
  }

  completePoll(id: string, now: Date): Promise<boolean> {
    return this.store.call(`pairings.completePoll:${id}`, () => {
      const poll = this.store.pairingRecords.get(id)?.poll;
      if (poll === null || poll === undefined || poll.completedAt !== null) return false;
      poll.completedAt = now;
      return true;
    });
  }
}
