// Files for the CLI specs: random bytes on disk with their SHA-256, and the server's view of a
// file (wait until ready, download it through a grant and hash what storage serves).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually } from '../../support/eventually.js';
import type { CliStack } from './cli-stack.js';

export interface LocalFile {
  path: string;
  name: string;
  size: number;
  sha256: string;
}

export interface ServerFile {
  id: string;
  sessionId: string;
  name: string;
  size: number;
  sha256: string;
  status: string;
}

export const sha256Hex = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Writes `size` random bytes to `<dir>/<name>`. */
export async function randomFile(dir: string, name: string, size: number): Promise<LocalFile> {
  const data = randomBytes(size);
  const path = join(dir, name);
  await writeFile(path, data);
  return { path, name, size, sha256: sha256Hex(data) };
}

/** The SHA-256 of a file on disk, streamed. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The session's files as its owner sees them (first page is plenty here). */
export async function sessionFiles(
  stack: CliStack,
  token: string,
  sessionId: string,
): Promise<ServerFile[]> {
  const res = await stack.api<{ items: ServerFile[] }>(
    'GET',
    `/v1/sessions/${sessionId}/files?limit=100`,
    token,
  );
  assert.equal(res.status, 200);
  return res.body.items;
}

/** Waits until every file of the session is `ready` (the worker verifies multipart ones). */
export async function allReady(
  stack: CliStack,
  token: string,
  sessionId: string,
  count: number,
): Promise<ServerFile[]> {
  return eventually(`${String(count)} ready files`, 30_000, async () => {
    const files = await sessionFiles(stack, token, sessionId);
    const rejected = files.find((f) => f.status === 'rejected');
    assert.equal(rejected, undefined, `a file was rejected: ${JSON.stringify(rejected)}`);
    return files.length === count && files.every((f) => f.status === 'ready') ? files : undefined;
  });
}

/** The SHA-256 of what a download grant for the file serves, as its owner. */
export async function downloadedSha(
  stack: CliStack,
  token: string,
  fileId: string,
): Promise<string> {
  const grant = await stack.api<{ url: string }>('POST', `/v1/files/${fileId}/downloads`, token);
  assert.equal(grant.status, 201, JSON.stringify(grant.body));
  const res = await fetch(grant.body.url, { signal: AbortSignal.timeout(30_000) });
  assert.equal(res.status, 200);
  return sha256Hex(Buffer.from(await res.arrayBuffer()));
}
