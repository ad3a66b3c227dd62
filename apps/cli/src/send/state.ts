// The state that makes a send resumable: `<configDir>/sends/<key>.json`, the key being the
// SHA-256 of the server, the files (absolute path, size, mtime) and the options, so the same
// command on unchanged files finds it again. Written after each part and file (0600, atomic).
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { configDir, writePrivateFile, type Env } from '../core/config-dir.ts';
import type { FileRecord } from '../upload/types.ts';
import type { LocalFile, SendOptions } from './options.ts';

export interface SendState {
  version: 1;
  server: string;
  sessionId: string | null;
  files: FileRecord[];
}

export function stateKey(server: string, files: LocalFile[], options: SendOptions): string {
  const canonical = JSON.stringify({
    server,
    files: files.map((f) => [f.path, f.size, f.mtimeMs]),
    options: [
      options.ttlSeconds ?? null,
      options.maxDownloads ?? null,
      options.approve,
      options.name ?? null,
    ],
  });
  return createHash('sha256').update(canonical).digest('hex');
}

export class StateFile {
  readonly path: string;
  readonly state: SendState;

  private constructor(path: string, state: SendState) {
    this.path = path;
    this.state = state;
  }

  /** The saved state of this command, or a fresh one. */
  static open(server: string, files: LocalFile[], options: SendOptions, env: Env): StateFile {
    const path = join(configDir(env), 'sends', `${stateKey(server, files, options)}.json`);
    const saved = read(path);
    const fresh = (): FileRecord[] =>
      files.map((f) => ({ path: f.path, size: f.size, mtimeMs: f.mtimeMs }));
    if (saved !== null && saved.server === server && saved.files.length === files.length) {
      return new StateFile(path, saved);
    }
    return new StateFile(path, { version: 1, server, sessionId: null, files: fresh() });
  }

  /** A new session: every file starts over (their hashes are kept, the files did not change). */
  restart(sessionId: string): void {
    this.state.sessionId = sessionId;
    this.state.files = this.state.files.map((f) => ({
      path: f.path,
      size: f.size,
      mtimeMs: f.mtimeMs,
      sha256: f.sha256,
      partSize: f.partSize,
      partHashes: f.partHashes,
    }));
    this.save();
  }

  save(): void {
    writePrivateFile(this.path, JSON.stringify(this.state));
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}

function read(path: string): SendState | null {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<SendState>;
    if (value.version !== 1 || typeof value.server !== 'string' || !Array.isArray(value.files))
      return null;
    return value as SendState;
  } catch {
    return null;
  }
}
