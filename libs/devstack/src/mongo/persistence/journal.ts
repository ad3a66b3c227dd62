// The on-disk journal of one server: appended records are written to the file every 100 ms and
// fsync'd every second (so kill -9 loses at most that much); stop() flushes everything.
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { decodeRecords, encodeRecord, type JournalRecord } from './records.js';

const FLUSH_MS = 100;
const SYNC_MS = 1000;

export class Journal {
  private fd: number | undefined;
  private pending: Buffer[] = [];
  private dirty = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  /** Bytes in the file, used to decide when compaction pays off. */
  size = 0;
  readonly path: string;

  constructor(private readonly dir: string) {
    this.path = join(dir, 'journal.bin');
  }

  /** Reads every intact record and cuts off a torn tail. */
  load(): JournalRecord[] {
    mkdirSync(this.dir, { recursive: true });
    if (!existsSync(this.path)) return [];
    const buf = readFileSync(this.path);
    const { records, validLength } = decodeRecords(buf);
    if (validLength < buf.length) truncateSync(this.path, validLength);
    this.size = validLength;
    return records;
  }

  start(): void {
    this.fd = openSync(this.path, 'a');
    this.flushTimer = setInterval(() => this.guard(() => this.flush()), FLUSH_MS);
    this.syncTimer = setInterval(() => this.guard(() => this.sync()), SYNC_MS);
    this.flushTimer.unref();
    this.syncTimer.unref();
  }

  // A failing disk is reported, not thrown from a timer (which would kill the process); the
  // records stay pending and are retried on the next tick.
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      console.error('[devstack mongo] journal write failed', err);
    }
  }

  append(rec: JournalRecord): void {
    this.pending.push(encodeRecord(rec));
  }

  flush(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    const buf = Buffer.concat(this.pending);
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off);
    this.pending = [];
    this.size += buf.length;
    this.dirty = true;
  }

  sync(): void {
    this.flush();
    if (this.fd !== undefined && this.dirty) {
      fsyncSync(this.fd);
      this.dirty = false;
    }
  }

  /** Replaces the journal with `records` (a snapshot of the live state), atomically. */
  rewrite(records: Iterable<JournalRecord>): void {
    this.flush();
    const tmp = this.path + '.tmp';
    const fd = openSync(tmp, 'w');
    let size = 0;
    let batch: Buffer[] = [];
    let batchBytes = 0;
    const write = (): void => {
      const buf = Buffer.concat(batch);
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off);
      batch = [];
      batchBytes = 0;
    };
    for (const rec of records) {
      const b = encodeRecord(rec);
      batch.push(b);
      batchBytes += b.length;
      size += b.length;
      if (batchBytes > 1 << 20) write();
    }
    write();
    fsyncSync(fd);
    closeSync(fd);
    if (this.fd !== undefined) closeSync(this.fd);
    renameSync(tmp, this.path);
    this.size = size;
    if (this.fd !== undefined) this.fd = openSync(this.path, 'a');
  }

  close(): void {
    clearInterval(this.flushTimer);
    clearInterval(this.syncTimer);
    this.sync();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
