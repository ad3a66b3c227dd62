import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { dropRecord, recordsOf, sameFile, saveRecord, type UploadRecord } from './resume-store';

const KEY = 'sharexpress.uploads.v1';

/** A tab's sessionStorage: a Map behind the Storage interface, that can be made to refuse writes. */
class FakeStorage implements Storage {
  readonly items = new Map<string, string>();
  refuseWrites = false;
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    if (this.refuseWrites)
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    this.items.set(key, value);
  }
}

let storage: FakeStorage;

beforeEach(() => {
  storage = new FakeStorage();
  Object.defineProperty(globalThis, 'sessionStorage', { value: storage, configurable: true });
});
afterEach(() => {
  Reflect.deleteProperty(globalThis, 'sessionStorage');
});

const record = (over: Partial<UploadRecord> = {}): UploadRecord => ({
  sessionId: 's1',
  fileId: 'f1',
  name: 'holiday.mov',
  size: 20 * 1024 * 1024,
  lastModified: 1_764_000_000_000,
  type: 'video/quicktime',
  sha256: 'a'.repeat(64),
  partSize: 8 * 1024 * 1024,
  partHashes: ['b'.repeat(64), 'c'.repeat(64), 'd'.repeat(64)],
  done: { 1: '"etag-1"' },
  ...over,
});

describe('resume store (unfinished uploads across a reload)', () => {
  test('a saved upload is there again for its session, with its finished parts', () => {
    saveRecord(record());
    // What a reload reads: only the stored text.
    const reloaded = JSON.parse(storage.getItem(KEY) ?? 'null') as unknown;
    assert.ok(Array.isArray(reloaded));
    assert.deepEqual(recordsOf('s1'), [record()]);
    assert.deepEqual(recordsOf('s1')[0]?.done, { 1: '"etag-1"' });
  });

  test('uploads of another session are not offered', () => {
    saveRecord(record());
    saveRecord(record({ sessionId: 's2', fileId: 'f2', name: 'other.pdf' }));
    assert.deepEqual(
      recordsOf('s2').map((r) => r.name),
      ['other.pdf'],
    );
    assert.deepEqual(recordsOf('s3'), []);
  });

  test('saving the same file again replaces it (progress), it is never listed twice', () => {
    saveRecord(record());
    saveRecord(record({ done: { 1: '"etag-1"', 2: '"etag-2"' } }));
    const records = recordsOf('s1');
    assert.equal(records.length, 1);
    assert.deepEqual(records[0]?.done, { 1: '"etag-1"', 2: '"etag-2"' });
  });

  test('a finished or cancelled upload is dropped, and the key goes once none is left', () => {
    saveRecord(record());
    saveRecord(record({ fileId: 'f2', name: 'b.txt' }));
    dropRecord('f1');
    assert.deepEqual(
      recordsOf('s1').map((r) => r.fileId),
      ['f2'],
    );
    dropRecord('f2');
    assert.deepEqual(recordsOf('s1'), []);
    assert.equal(storage.getItem(KEY), null);
  });

  test('garbage in storage means nothing to resume, not a broken page', () => {
    storage.setItem(KEY, '{not json');
    assert.deepEqual(recordsOf('s1'), []);
    storage.setItem(KEY, '{"sessionId":"s1"}');
    assert.deepEqual(recordsOf('s1'), []);
  });

  test('a full or refused storage does not stop the upload', () => {
    storage.refuseWrites = true;
    assert.doesNotThrow(() => saveRecord(record()));
    assert.deepEqual(recordsOf('s1'), []);
  });

  test('the file chosen again must be the same one: name, size and modification time', () => {
    const r = record({ size: 5, name: 'a.txt', lastModified: 1000 });
    assert.ok(sameFile(r, new File(['12345'], 'a.txt', { lastModified: 1000 })));
    assert.ok(!sameFile(r, new File(['12345'], 'b.txt', { lastModified: 1000 })));
    assert.ok(!sameFile(r, new File(['1234'], 'a.txt', { lastModified: 1000 })));
    assert.ok(!sameFile(r, new File(['12345'], 'a.txt', { lastModified: 2000 })));
  });
});
