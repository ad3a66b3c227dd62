// The soak's verdict, checked once the load has stopped: what storage, the database and the API
// hold must be exactly what the ledger says the clients did.
import type { S3Client } from '@aws-sdk/client-s3';
import type { Db } from 'mongodb';
import { listKeys, listUploads } from '../e2e/worker/worker-fixtures.js';
import type { Ledger } from './ledger.js';
import type { Recorder } from './recorder.js';
import type { OwnerScenario } from './scenario.js';
import { UnexpectedAnswer, type SoakClient } from './soak-client.js';

export interface Verdict {
  name: string;
  ok: boolean;
  detail: string;
}

export interface InvariantDeps {
  ledger: Ledger;
  recorder: Recorder;
  client: SoakClient;
  owners: OwnerScenario[];
  apis: string[];
  db: Db;
  s3: S3Client;
  bucket: string;
  /** How long the worker may take to purge closed sessions / deleted files' objects. */
  purgeDeadlineMs: number;
  deletedDeadlineMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` (a list of what is still wrong) until it is empty or the deadline passes. */
async function within(deadlineMs: number, check: () => Promise<string[]>): Promise<string[]> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const wrong = await check();
    if (wrong.length === 0 || Date.now() > deadline) return wrong;
    await sleep(500);
  }
}

const verdict = (name: string, wrong: string[], okDetail: string): Verdict => ({
  name,
  ok: wrong.length === 0,
  detail:
    wrong.length === 0
      ? okDetail
      : `${String(wrong.length)} wrong: ${wrong.slice(0, 10).join('; ')}`,
});

export async function checkInvariants(deps: InvariantDeps): Promise<Verdict[]> {
  const { ledger, recorder, client, db, s3, bucket } = deps;
  const out: Verdict[] = [];
  const closed = [...ledger.sessions.values()].filter((s) => s.closed);
  const live = [...ledger.sessions.values()].filter((s) => !s.closed);
  const liveReady = ledger.files((f, s) => !s.closed && f.status === 'ready');
  const deleted = ledger.files((f, s) => !s.closed && f.status === 'deleted');

  // Every ready file of a live session, downloaded once more through each replica.
  for (const file of liveReady) {
    const owner = ledger.sessions.get(file.sessionId)?.owner ?? -1;
    const token = ledger.owners[owner]?.token ?? '';
    for (const base of deps.apis) {
      await deps.owners[owner]?.download(file, token, base).catch((err: unknown) => {
        // An unexpected answer is on the client's list already.
        if (!(err instanceof UnexpectedAnswer)) {
          ledger.stepFailures.push(`final download of ${file.id}: ${String(err)}`);
        }
      });
    }
  }
  out.push(
    verdict(
      'every ready file intact',
      ledger.integrityFailures,
      `${String(liveReady.length)} live ready files re-downloaded through both APIs, ${String(ledger.counts.downloads)} downloads in all, every SHA-256 equal`,
    ),
  );

  const closedPrefixes = closed.map((s) => `sessions/${s.id}/`);
  const underClosed = async (): Promise<string[]> => {
    const keys = await listKeys(s3, bucket, 'sessions/');
    const uploads = await listUploads(s3, bucket, 'sessions/');
    return [...keys, ...uploads.map((k) => `upload ${k}`)].filter((k) =>
      closedPrefixes.some((p) => k.includes(p)),
    );
  };
  const leftInClosed = await within(deps.purgeDeadlineMs, underClosed);
  const unpurged = await within(deps.purgeDeadlineMs, async () => {
    const ids = closed.map((s) => s.id);
    const purged = await db
      .collection<{ sessionId: string; type: string }>('events')
      .aggregate<{ _id: string; n: number }>([
        { $match: { sessionId: { $in: ids }, type: 'session.purged' } },
        { $group: { _id: '$sessionId', n: { $sum: 1 } } },
      ])
      .toArray();
    const counts = new Map(purged.map((p) => [p._id, p.n]));
    return ids
      .filter((id) => counts.get(id) !== 1)
      .map((id) => `${id}: session.purged ×${String(counts.get(id) ?? 0)}`);
  });
  out.push(
    verdict(
      'every closed session’s objects gone',
      [...leftInClosed, ...unpurged],
      `${String(closed.length)} closed sessions: no object or upload left, session.purged recorded once each`,
    ),
  );

  const deletedKeys = new Set(deleted.map((f) => f.key));
  const leftDeleted = await within(deps.deletedDeadlineMs, async () =>
    (await listKeys(s3, bucket, 'sessions/')).filter((k) => deletedKeys.has(k)),
  );
  out.push(
    verdict(
      'every deleted file’s object gone',
      leftDeleted,
      `${String(deleted.length)} deleted files in live sessions, objects gone`,
    ),
  );

  // No orphan: the bucket holds exactly the live ready files, each named by a ready record of an
  // active session, and no multipart upload is left in progress.
  const keys = await listKeys(s3, bucket, '');
  const expected = new Set(liveReady.map((f) => f.key));
  const orphanWrong = [
    ...keys.filter((k) => !expected.has(k)).map((k) => `unexpected object ${k}`),
    ...[...expected].filter((k) => !keys.includes(k)).map((k) => `missing object ${k}`),
    ...(await listUploads(s3, bucket, '')).map((k) => `upload in progress ${k}`),
  ];
  const records = await db
    .collection<{ storageKey: string; status: string; sessionId: string }>('files')
    .find({ storageKey: { $in: keys } }, { projection: { storageKey: 1, status: 1, sessionId: 1 } })
    .toArray();
  const activeSessions = new Set(
    (
      await db
        .collection<{ _id: string; status: string }>('sessions')
        .find({ _id: { $in: live.map((s) => s.id) }, status: 'active' }, { projection: { _id: 1 } })
        .toArray()
    ).map((s) => s._id),
  );
  for (const key of keys) {
    const record = records.find((r) => r.storageKey === key);
    if (record === undefined) orphanWrong.push(`no record names ${key}`);
    else if (record.status !== 'ready' || !activeSessions.has(record.sessionId)) {
      orphanWrong.push(
        `${key}: record ${record.status}, session active ${String(activeSessions.has(record.sessionId))}`,
      );
    }
  }
  out.push(
    verdict(
      'no orphan objects',
      orphanWrong,
      `${String(keys.length)} objects in the bucket, each a ready file of an active session (${String(live.length)} live sessions); no upload in progress`,
    ),
  );

  // Quotas: the API on each replica (today) and the database (every day) say what was declared.
  const quotaWrong: string[] = [];
  const today = new Date().toISOString().slice(0, 10);
  for (const [i, usage] of ledger.owners.entries()) {
    const { body: me } = await client.api<{ id: string }>(
      '/v1/auth/me',
      deps.apis[0] ?? '',
      'GET',
      '/v1/auth/me',
      { token: usage.token },
    );
    for (const [day, want] of usage.days) {
      const doc = await db
        .collection<{ _id: string; files: number; bytes: number }>('quota_days')
        .findOne({ _id: `${me.id}:${day}` });
      if (doc?.files !== want.files || doc.bytes !== want.bytes) {
        quotaWrong.push(
          `owner ${String(i)} ${day}: stored ${String(doc?.files)} files ${String(doc?.bytes)} B, declared ${String(want.files)} / ${String(want.bytes)}`,
        );
      }
    }
    const want = usage.days.get(today) ?? { files: 0, bytes: 0 };
    for (const base of deps.apis) {
      const { body: quota } = await client.api<{
        day: string;
        files: { used: number };
        bytes: { used: number };
      }>('/v1/quota', base, 'GET', '/v1/quota', { token: usage.token });
      if (
        quota.day === today &&
        (quota.files.used !== want.files || quota.bytes.used !== want.bytes)
      ) {
        quotaWrong.push(
          `owner ${String(i)} on ${base}: ${String(quota.files.used)} files ${String(quota.bytes.used)} B, declared ${String(want.files)} / ${String(want.bytes)}`,
        );
      }
    }
  }
  const declaredFiles = ledger.owners.reduce(
    (n, o) => n + [...o.days.values()].reduce((m, d) => m + d.files, 0),
    0,
  );
  out.push(
    verdict(
      'quota counters equal what was declared',
      quotaWrong,
      `${String(ledger.owners.length)} owners, ${String(declaredFiles)} files declared: GET /v1/quota on both APIs and quota_days agree to the byte`,
    ),
  );

  // Last, so that the checks' own requests count too.
  out.push(
    verdict(
      'no 5xx at any point',
      recorder.serverErrors.map((e) => `${e.route} ${String(e.status)} ${e.detail}`),
      `${String(recorder.total)} requests, none answered 5xx or failed at the network level`,
    ),
  );
  out.push(
    verdict(
      'every answer the expected one',
      [...client.unexpected.map((u) => u.message), ...ledger.stepFailures],
      'every request got the status its step expects',
    ),
  );
  return out;
}
