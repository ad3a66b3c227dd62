import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import type { Api } from '../api/client';
import type { FileItem } from '../api/types';
import type { UploadRecord } from './resume-store';
import { UploadEnded, UploadJob, VERIFY_WAIT_MS } from './upload-job';

// An upload resumed after a reload whose bytes had already been sent (a single PUT): the job
// completes and waits for the server's verdict. No hashing, so it runs in Node.

const record: UploadRecord = {
  sessionId: 's1',
  fileId: 'f1',
  name: 'report.pdf',
  size: 10,
  lastModified: 0,
  type: 'application/pdf',
  sha256: 'a'.repeat(64),
  partSize: 0,
  partHashes: [],
  done: {},
};
const item = (status: FileItem['status']): FileItem =>
  ({ id: 'f1', name: 'report.pdf', size: 10, status }) as unknown as FileItem;

function fakeApi(statuses: () => FileItem['status']) {
  const calls = { complete: 0, get: 0 };
  const abortable = <T>(value: T, signal?: AbortSignal): Promise<T> =>
    new Promise((resolve, reject) => {
      if (signal?.aborted === true) reject(new DOMException('aborted', 'AbortError'));
      signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      setTimeout(() => resolve(value), 10);
    });
  const unused = (): never => {
    throw new Error('not used');
  };
  const api: Api = {
    post: <T>(path: string, _body?: unknown, opts?: { signal?: AbortSignal }) => {
      assert.equal(path, '/v1/files/f1/complete');
      calls.complete++;
      return abortable(item('verifying') as T, opts?.signal);
    },
    get: <T>(path: string, opts?: { signal?: AbortSignal }) => {
      assert.equal(path, '/v1/files/f1');
      calls.get++;
      return abortable(item(statuses()) as T, opts?.signal);
    },
    patch: unused,
    del: () => Promise.resolve(),
    blob: unused,
    token: () => 'device-token',
    now: () => Date.now(),
  };
  return { api, calls };
}

const file = new File(['0123456789'], 'report.pdf', { type: 'application/pdf' });

async function advance(ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 50) {
    mock.timers.tick(50);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 }));
afterEach(() => mock.timers.reset());

describe('UploadJob', () => {
  test('a double-clicked Retry runs one upload: the first run is stopped', async () => {
    const { api, calls } = fakeApi(() => 'ready');
    const ready: FileItem[] = [];
    const job = new UploadJob(
      api,
      's1',
      file,
      { ...record },
      () => undefined,
      (f) => ready.push(f),
    );
    job.start();
    job.start();
    assert.equal(job.state.phase, 'hashing'); // switched at once: no Retry button any more
    assert.equal(job.state.retryable, false);
    await advance(5000);
    assert.equal(job.state.phase, 'ready');
    assert.equal(ready.length, 1);
    assert.equal(calls.get, 1);
  });

  test('verifying for over two minutes: says so once and stops polling', async () => {
    const { api, calls } = fakeApi(() => 'verifying');
    const job = new UploadJob(
      api,
      's1',
      file,
      { ...record },
      () => undefined,
      () => undefined,
    );
    job.start();
    await advance(VERIFY_WAIT_MS + 10_000);
    assert.equal(job.state.phase, 'checking');
    assert.equal(job.state.text, 'Still verifying on the server — it will show as ready in Files');
    assert.equal(job.running, false);
    const polls = calls.get;
    assert.ok(polls > 10 && polls < 60, `${String(polls)} polls`);
    await advance(60_000);
    assert.equal(calls.get, polls, 'no poll after it gave up');
  });

  test('a file deleted while verifying is reported as deleted, not as a checksum problem', async () => {
    let n = 0;
    const { api } = fakeApi(() => (++n < 3 ? 'verifying' : 'deleted'));
    const job = new UploadJob(
      api,
      's1',
      file,
      { ...record },
      () => undefined,
      () => undefined,
    );
    job.start();
    await advance(20_000);
    assert.equal(job.state.phase, 'failed');
    assert.ok(job.state.error instanceof UploadEnded);
    assert.equal(job.state.error.message, 'report.pdf was deleted.');
  });
});
