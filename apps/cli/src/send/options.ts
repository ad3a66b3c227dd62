// `send`'s arguments: files and options, checked before anything is created on the server.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { usageError } from '../core/errors.ts';

export interface SendOptions {
  /** Seconds, or undefined for the server's default (1 h). */
  ttlSeconds?: number;
  maxDownloads?: number;
  approve: boolean;
  name?: string;
}

export interface LocalFile {
  /** Absolute. */
  path: string;
  size: number;
  mtimeMs: number;
}

export interface SendArgs {
  files: LocalFile[];
  options: SendOptions;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `30s`, `10m`, `1h`, `2d`, or a number of seconds; compounds such as `1h30m` too. */
export function parseDuration(text: string): number {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+$/.test(trimmed)) return positive(Number(trimmed), text);
  const pattern = /(\d+)([smhd])/gy;
  let seconds = 0;
  let matched = 0;
  for (let m = pattern.exec(trimmed); m !== null; m = pattern.exec(trimmed)) {
    seconds += Number(m[1]) * (UNITS[m[2] ?? 's'] ?? 1);
    matched = pattern.lastIndex;
  }
  if (matched === 0 || matched !== trimmed.length) {
    throw usageError(`--ttl ${text}: expected a duration such as 30s, 10m, 1h, 2d or seconds.`);
  }
  return positive(seconds, text);
}

function positive(seconds: number, text: string): number {
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw usageError(`--ttl ${text}: the duration must be more than 0 seconds.`);
  }
  return seconds;
}

export function parseDownloads(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw usageError(`--downloads ${text}: expected a whole number of at least 1.`);
  }
  return Number(text);
}

/** Reads `send`'s arguments (global flags such as --json are accepted and ignored here). */
export function parseSendArgs(argv: string[], cwd = process.cwd()): SendArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ttl: { type: 'string' },
        downloads: { type: 'string' },
        approve: { type: 'boolean' },
        name: { type: 'string' },
        json: { type: 'boolean' },
        server: { type: 'string' },
      },
    });
  } catch (error) {
    throw usageError(
      `${(error as Error).message}. Usage: sharexpress send FILE… [--ttl 1h] [--downloads 3] [--approve] [--name NAME] [--json]`,
    );
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    throw usageError(
      'Nothing to send: sharexpress send FILE… [--ttl 1h] [--downloads 3] [--approve] [--name NAME]',
    );
  }
  const options: SendOptions = { approve: values.approve === true };
  if (values.ttl !== undefined) options.ttlSeconds = parseDuration(values.ttl);
  if (values.downloads !== undefined) options.maxDownloads = parseDownloads(values.downloads);
  if (values.name !== undefined) {
    if (values.name.trim() === '') throw usageError('--name: the session name cannot be empty.');
    options.name = values.name;
  }
  return { files: positionals.map((p) => localFile(p, cwd)), options };
}

export function localFile(given: string, cwd: string): LocalFile {
  const path = resolve(cwd, given);
  const info = statSync(path, { throwIfNoEntry: false });
  if (info === undefined) throw usageError(`${given}: no such file.`);
  if (info.isDirectory())
    throw usageError(`${given} is a directory: send the files in it (or an archive of it).`);
  if (!info.isFile()) throw usageError(`${given} is not a regular file.`);
  return { path, size: info.size, mtimeMs: info.mtimeMs };
}
