// Two worker replicas (the compiled main.js, each its own OS process) on one MongoDB and one
// bucket, each behind its own taps: an S3 reverse proxy and a MongoDB wire proxy that record
// what that worker sent and what MongoDB answered. The purge of ended sessions runs once across
// them: every object is deleted exactly once, a leader killed mid-purge is taken over within a
// lease period, and a leader paused past its lease changes nothing once it wakes.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { S3Client } from '@aws-sdk/client-s3';
import { MongoClient, type Db, type Document } from 'mongodb';
import { randomSuffix, startTestBackends, type TestBackends } from '../../support/backends.js';
import { eventually } from '../../support/eventually.js';
import { startMongoTap, type MongoTap, type TappedCommand } from '../../support/mongo-tap.js';
import { describeWrite, filtersOf } from '../../support/mongo-tap-outcomes.js';
import { startS3Tap, type S3Tap } from '../../support/s3-tap.js';
import { dropDatabase, startTestApp, testEnv, type TestApp } from '../../support/test-app.js';
import {
  api,
  download,
  expectStatus,
  getFile,
  uploadSingle,
  type FileBody,
} from '../../support/upload-client.js';
import { GENEROUS_LIMITS, ownerWithSession, storageKey } from '../files/files-fixtures.js';
import { createSession, type Owner } from '../pairing/pairing-client.js';
import { allActivity } from '../sessions/sessions-client.js';
import {
  bucketClient,
  deletedBy,
  deletesSince,
  FAST_JOBS,
  listKeys,
  onlyJobsFast,
  total,
} from './worker-fixtures.js';
import { seedReadyFiles, type SeededFile } from './seed-files.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';

// Only the purge is under test: every other job waits an hour (after its first run at start),
// so that whatever a worker deletes or writes during a scenario is the purge's doing.
const JOB_ENV = onlyJobsFast('purge-files');
const LEASE_TTL_SECONDS = Number(FAST_JOBS.LEASE_TTL_SECONDS);
const INTERVAL_SECONDS = Number(FAST_JOBS.CLEANUP_INTERVAL_SECONDS);
/** Scheduling, a MongoDB round trip and a loaded 2-core machine on top of lease + tick. */
const TAKEOVER_SLACK_MS = 2_000;
const PURGE_DEADLINE_MS = 30_000;
// Seeding costs about 5 ms of CPU per object on the devstack (client and server in this
// process), so the counts stay just large enough: 1200 files make two DeleteObjects batches of
// up to 1000 keys, one across sessions; 500 keep a purge run busy long enough to be caught in it.
const PER_SESSION_A = 400;
const PER_SESSION_BC = 250;

type Bulk = { id: string; files: SeededFile[] }[];

interface Replica {
  name: string;
  worker: WorkerProcess;
  s3: S3Tap;
  mongo: MongoTap;
}

/** The lease fence a write's filter names (`fence: n`, at the top or under `$and`), if any. */
function fenceOf(write: TappedCommand): number | undefined {
  for (const filter of filtersOf(write)) {
    const found = fenceIn(filter);
    if (found !== undefined) return found;
  }
  return undefined;
}

function fenceIn(filter: Document): number | undefined {
  if (typeof filter.fence === 'number') return filter.fence;
  const and: unknown = filter.$and;
  if (!Array.isArray(and)) return undefined;
  for (const sub of and as Document[]) {
    const found = fenceIn(sub);
    if (found !== undefined) return found;
  }
  return undefined;
}

const firstDeleteAt = (tap: S3Tap, since: number): number | undefined =>
  tap.requests.find((r) => r.at >= since && r.operation === 'DeleteObjects')?.at;

describe('worker: the purge across two replicas', () => {
  let backends: TestBackends;
  let dbName = '';
  let dataDir = '';
  let app: TestApp;
  let mongo: MongoClient;
  let db: Db;
  let s3: S3Client;
  let owner: Owner;
  let live: { file: FileBody; key: string; bytes: Buffer };
  const replicas: Replica[] = [];
  /** Each scenario's sessions of ready files, not ended until the scenario takes them. */
  const bulk = new Map<'once' | 'paused' | 'killed', Bulk>();

  async function startReplica(name: string): Promise<Replica> {
    const mongoAddress = new URL(backends.mongoUri);
    const s3Tap = await startS3Tap(backends.s3.endpoint);
    const mongoTap = await startMongoTap({
      host: mongoAddress.hostname,
      port: Number(mongoAddress.port || 27017),
    });
    try {
      const worker = await startWorkerProcess(name, {
        ...testEnv(backends, join(dataDir, `${name}-${randomSuffix()}`)),
        ...JOB_ENV,
        MONGODB_URI: mongoTap.uri(dbName),
        S3_ENDPOINT: s3Tap.endpoint,
      });
      return { name, worker, s3: s3Tap, mongo: mongoTap };
    } catch (err) {
      await s3Tap.close();
      await mongoTap.close();
      throw err;
    }
  }

  /** Two running replicas (a scenario that killed one leaves it to the next to replace). */
  async function twoReplicas(): Promise<[Replica, Replica]> {
    for (const [i, replica] of replicas.entries()) {
      if (
        replica.worker.run.child.exitCode === null &&
        replica.worker.run.child.signalCode === null
      )
        continue;
      await stopReplica(replica);
      replicas[i] = await startReplica(`${replica.name}'`);
    }
    const [a, b] = replicas;
    assert.ok(a !== undefined && b !== undefined);
    return [a, b];
  }

  async function stopReplica(replica: Replica): Promise<void> {
    await replica.worker.stop();
    await replica.s3.close();
    await replica.mongo.close();
  }

  before(async () => {
    backends = await startTestBackends();
    dbName = `sx_replicas_${randomSuffix()}`;
    dataDir = await mkdtemp(join(tmpdir(), 'sx-replicas-'));
    const mongoUri = `${backends.mongoUri}/${dbName}`;
    // The API (which runs no job) writes straight to the backends.
    app = await startTestApp({
      backends,
      env: { ...GENEROUS_LIMITS, MONGODB_URI: mongoUri, SESSION_MAX_FILES: '10000' },
    });
    mongo = new MongoClient(mongoUri);
    db = mongo.db();
    s3 = bucketClient(backends);
    const shared = await ownerWithSession(app.baseUrl);
    owner = shared.owner;
    const bytes = Buffer.from('a live file in a session nobody ended\n');
    const file = await uploadSingle(app.baseUrl, owner.token, shared.session.id, { bytes });
    live = { file, key: storageKey(shared.session.id, file.id), bytes };
    // The scenarios' files are seeded while the replicas start (their own processes).
    const [a, b, seeded] = await Promise.allSettled([
      startReplica('a'),
      startReplica('b'),
      (async () => {
        bulk.set('once', await seedSessions(3, PER_SESSION_A));
        bulk.set('paused', await seedSessions(2, PER_SESSION_BC));
        bulk.set('killed', await seedSessions(2, PER_SESSION_BC));
      })(),
    ]);
    for (const started of [a, b]) if (started.status === 'fulfilled') replicas.push(started.value);
    for (const outcome of [a, b, seeded]) if (outcome.status === 'rejected') throw outcome.reason;
  });
  after(async () => {
    for (const replica of replicas) await stopReplica(replica).catch(() => undefined);
    await app?.close();
    s3?.destroy();
    await mongo?.close();
    if (backends?.external.mongo) await dropDatabase(`${backends.mongoUri}/${dbName}`);
    if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
    await backends?.stop();
  });

  /** `sessions` sessions of `perSession` ready files each, not ended yet. */
  async function seedSessions(sessions: number, perSession: number): Promise<Bulk> {
    const out: Bulk = [];
    for (let i = 0; i < sessions; i++) {
      const session = await createSession(app.baseUrl, owner, { name: `bulk ${String(i)}` });
      const files = await seedReadyFiles(
        { db, s3, bucket: backends.s3.bucket },
        session.id,
        perSession,
      );
      out.push({ id: session.id, files });
    }
    return out;
  }

  /** Closes the sessions through the API; returns when the first close was sent. */
  async function endSessions(ids: string[]): Promise<number> {
    const at = Date.now();
    for (const id of ids) {
      const res = await api(app.baseUrl, 'DELETE', `/v1/sessions/${id}`, owner.token);
      assert.equal(res.status, 204);
    }
    return at;
  }

  /** Every record of the sessions is gone and each recorded session.purged (once). */
  async function untilPurged(ids: string[], deadlineMs = PURGE_DEADLINE_MS): Promise<void> {
    await eventually('the sessions purged', deadlineMs, async () => {
      if ((await db.collection('files').countDocuments({ sessionId: { $in: ids } })) > 0) {
        return undefined;
      }
      for (const id of ids) {
        const events = await allActivity(app.baseUrl, owner.token, id);
        if (!events.some((e) => e.type === 'session.purged')) return undefined;
      }
      return true;
    });
    for (const id of ids) {
      const events = await allActivity(app.baseUrl, owner.token, id);
      assert.equal(events.filter((e) => e.type === 'session.purged').length, 1, id);
    }
  }

  /** A scenario's sessions: from now on the scenario's to end and to check. */
  function take(scenario: 'once' | 'paused' | 'killed'): Bulk {
    const sessions = bulk.get(scenario);
    assert.ok(sessions !== undefined, `${scenario}: seeded once, taken once`);
    bulk.delete(scenario);
    return sessions;
  }

  /**
   * No orphan left, no live file lost: the bucket holds exactly the live file, intact, and the
   * files of the sessions no scenario has ended yet.
   */
  async function assertOnlyLiveLeft(): Promise<void> {
    const expected = [
      live.key,
      ...[...bulk.values()].flat().flatMap((s) => s.files.map((f) => f.key)),
    ];
    const listed = await listKeys(s3, backends.s3.bucket, 'sessions/');
    assert.equal(listed.length, expected.length, 'objects under sessions/');
    assert.deepEqual([...listed].sort(), expected.sort());
    const file = await expectStatus<FileBody>(
      await getFile(app.baseUrl, owner.token, live.file.id),
      200,
    );
    assert.equal(file.status, 'ready');
    const { res } = await download(app.baseUrl, owner.token, live.file.id);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), live.bytes);
  }

  /** The first replica whose tap shows a DeleteObjects at or after `since`: the purge's holder. */
  async function holderOf(pair: Replica[], since: number): Promise<Replica> {
    return eventually(
      'a replica’s first DeleteObjects',
      PURGE_DEADLINE_MS,
      () => {
        const seen = pair
          .map((r) => ({ r, at: firstDeleteAt(r.s3, since) }))
          .filter((x): x is { r: Replica; at: number } => x.at !== undefined)
          .sort((x, y) => x.at - y.at);
        return Promise.resolve(seen[0]?.r);
      },
      10,
    );
  }

  it('deletes every expired object exactly once across both, without a job error', async () => {
    const pair = await twoReplicas();
    const sessions = take('once');
    const seeded = sessions.flatMap((s) => s.files.map((f) => f.key));
    const since = await endSessions(sessions.map((s) => s.id));
    await untilPurged(sessions.map((s) => s.id));

    const counts = deletesSince(
      pair.map((r) => r.s3),
      since,
    );
    assert.equal(counts.size, seeded.length, 'every seeded object, and nothing else, deleted');
    const twice = [...counts.entries()].filter(([, n]) => n !== 1);
    assert.deepEqual(twice, [], 'deleted more than once');
    for (const key of seeded) assert.equal(counts.get(key), 1, key);
    for (const session of sessions) {
      const events = await allActivity(app.baseUrl, owner.token, session.id);
      assert.deepEqual(events.find((e) => e.type === 'session.purged')?.data, {
        files: PER_SESSION_A,
      });
    }
    await assertOnlyLiveLeft();

    for (const replica of pair) {
      const metrics = await replica.worker.metrics();
      assert.equal(total(metrics, 'sharexpress_job_errors_total'), 0, replica.name);
      assert.equal(total(metrics, 'sharexpress_job_runs_total', { outcome: 'failed' }), 0);
      // Both were there, competing for the purge's lease at every tick.
      assert.ok(total(metrics, 'sharexpress_job_runs_total', { job: 'purge-files' }) > 0);
    }
  });

  it('a paused holder changes nothing once it wakes past its lease', async () => {
    const pair = await twoReplicas();
    const sessions = take('paused');
    const ids = sessions.map((s) => s.id);
    const seeded = new Set(sessions.flatMap((s) => s.files.map((f) => f.key)));
    const since = await endSessions(ids);
    const holder = await holderOf(pair, since);
    holder.worker.signal('SIGSTOP');
    const pausedAt = Date.now();
    const other = pair.find((r) => r !== holder);
    assert.ok(other !== undefined);

    // The other replica takes over once the paused holder's lease has lapsed, and finishes.
    await untilPurged(ids);
    assert.ok(firstDeleteAt(other.s3, pausedAt) !== undefined, 'the other replica took over');
    await eventually('the pause outlasting the lease', 10_000, () =>
      Promise.resolve(Date.now() - pausedAt > LEASE_TTL_SECONDS * 1000 + 500 ? true : undefined),
    );
    const deletedBeforeWaking = new Set(deletesSince([holder.s3, other.s3], since).keys());

    const wokeAt = Date.now();
    holder.worker.signal('SIGCONT');
    // Its stale run resumes, finds its lease gone at its next check, and stops. What it had
    // checked before the pause may still go out (from its socket buffers, or its event loop
    // catching up): what counts is what the servers then changed, not what it sent.
    const lostRuns = async () =>
      total(await holder.worker.metrics(), 'sharexpress_job_runs_total', {
        job: 'purge-files',
        outcome: 'lease_lost',
      });
    await eventually(
      'the woken holder’s stale run ending (counted as lease_lost), its writes answered',
      15_000,
      async () =>
        (await lostRuns()) > 0 && holder.mongo.unansweredSince(wokeAt).length === 0
          ? true
          : undefined,
    );

    // (a) MongoDB: every job write carries the lease's deadline, so a late one matches nothing.
    const changed = holder.mongo.changesSince(wokeAt);
    assert.deepEqual(
      changed.filter((c) => c.collection !== 'leases').map(describeWrite),
      [],
      'MongoDB changes outside `leases` after waking',
    );
    // Its attempts at the lease are coordination: an acquisition matches only a free lease and
    // starts a new fence; a renewal or release under the fence it held before the pause must
    // match nothing, as the other replica holds (or held) the lease under a newer one.
    const leaseWrites = holder.mongo.writesSince(wokeAt).filter((c) => c.collection === 'leases');
    const grantedSinceWaking = new Set(
      leaseWrites.flatMap((c) => {
        const fence: unknown = c.reply?.value?.fence;
        return fenceOf(c) === undefined && typeof fence === 'number' ? [fence] : [];
      }),
    );
    assert.deepEqual(
      changed
        .filter((c) => c.collection === 'leases')
        .filter((c) => {
          const fence = fenceOf(c);
          return fence !== undefined && !grantedSinceWaking.has(fence);
        })
        .map(describeWrite),
      [],
      'leases changed under a fence not granted to it since waking (its old lease or the new holder’s)',
    );

    // (b) Storage cannot check a deadline. Whatever the woken holder deleted had been deleted
    // already, by the other replica or by itself before the pause: nothing live is lost.
    const storageAfterWaking = holder.s3.writesSince(wokeAt);
    assert.deepEqual(
      storageAfterWaking
        .filter((r) => r.operation !== 'DeleteObjects' && r.operation !== 'DeleteObject')
        .map((r) => `${r.operation} ${r.path}`),
      [],
      'storage writes other than deletes after waking',
    );
    assert.deepEqual(
      storageAfterWaking.flatMap(deletedBy).filter((key) => !deletedBeforeWaking.has(key)),
      [],
      'keys first deleted by the woken holder',
    );

    // (c) The other replica finished the purge: each object deleted, only expired ones, none
    // twice by it (the batch in flight when the holder stopped it deleted again: storage first,
    // records second, so its records were still there; that is the idempotent repeat).
    const byOther = deletesSince([other.s3], pausedAt);
    assert.deepEqual(
      [...byOther.entries()].filter(([, n]) => n !== 1),
      [],
      'deleted twice by the other replica',
    );
    const all = deletesSince([holder.s3, other.s3], since);
    assert.deepEqual(
      [...all.keys()].filter((key) => !seeded.has(key)),
      [],
      'only expired objects deleted',
    );
    assert.deepEqual(
      [...seeded].filter((key) => !all.has(key)),
      [],
      'every expired object deleted',
    );
    await assertOnlyLiveLeft();
  });

  it('a leader killed mid-purge is taken over within a lease period, nothing lost or left', async () => {
    const pair = await twoReplicas();
    const sessions = take('killed');
    const ids = sessions.map((s) => s.id);
    const seeded = new Set(sessions.flatMap((s) => s.files.map((f) => f.key)));
    const since = await endSessions(ids);
    const leader = await holderOf(pair, since);
    leader.worker.signal('SIGKILL');
    const killedAt = Date.now();
    const successor = pair.find((r) => r !== leader);
    assert.ok(successor !== undefined);
    const left = await db.collection('files').countDocuments({ sessionId: { $in: ids } });
    assert.ok(left > 0, 'killed before it had finished');

    const takeoverAt = await eventually(
      'the successor’s first DeleteObjects',
      15_000,
      () => Promise.resolve(firstDeleteAt(successor.s3, killedAt)),
      10,
    );
    const limitMs = (LEASE_TTL_SECONDS + INTERVAL_SECONDS) * 1000 + TAKEOVER_SLACK_MS;
    assert.ok(
      takeoverAt - killedAt <= limitMs,
      `took over ${String(takeoverAt - killedAt)} ms after the kill (limit ${String(limitMs)})`,
    );
    await untilPurged(ids);
    await assertOnlyLiveLeft();
    const deleted = deletesSince([leader.s3, successor.s3], since);
    assert.deepEqual(
      [...seeded].filter((key) => !deleted.has(key)),
      [],
      'every object deleted',
    );
    assert.deepEqual(
      [...deleted.keys()].filter((key) => !seeded.has(key)),
      [],
      'only expired objects',
    );
    const metrics = await successor.worker.metrics();
    assert.equal(total(metrics, 'sharexpress_job_runs_total', { outcome: 'failed' }), 0);
  });
});
