import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CliError, EXIT } from '../core/errors.ts';
import type { Output } from '../core/output.ts';
import type { Requester } from './clock.ts';
import type { DownloadContext } from './download.ts';
import { DownloadTally, receiveFile } from './session-files.ts';
import type { RemoteFile } from './types.ts';

// Storage as a presigned GET sees it: a local HTTP server, one object per path.
const objects = new Map<string, Buffer>();
let server: Server;
let storage: string;
let outDir: string;

before(async () => {
  server = createServer((req, res) => {
    const bytes = objects.get(req.url ?? '');
    if (!bytes) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  storage = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
  outDir = await mkdtemp(join(tmpdir(), 'sx-receive-'));
});

const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

function remote(id: string, name: string, bytes: Buffer, served: Buffer = bytes): RemoteFile {
  objects.set(`/${id}`, served);
  return {
    id,
    sessionId: 's',
    name,
    size: bytes.length,
    contentType: 'text/plain',
    sha256: sha(bytes),
    status: 'ready',
  };
}

/** The API's grant route: a URL to the local storage, or the given error for some files. */
function grantingApi(refused: Record<string, CliError> = {}): Requester {
  return {
    request: async <T>(method: string, path: string): Promise<T> => {
      await Promise.resolve();
      assert.equal(method, 'POST');
      const id = /^\/v1\/files\/([^/]+)\/downloads$/.exec(path)?.[1] ?? '';
      const error = refused[id];
      if (error) throw error;
      return { url: `${storage}/${id}`, expiresAt: '', remainingDownloads: 2 } as T;
    },
  };
}

function recordingOutput(): Output & { events: Record<string, unknown>[]; lines: string[] } {
  const events: Record<string, unknown>[] = [];
  const lines: string[] = [];
  return {
    json: true,
    events,
    lines,
    info: (text) => lines.push(text),
    result: () => undefined,
    event: (value) => events.push(value),
    progress: () => undefined,
    done: () => undefined,
  };
}

function context(api: Requester, output: Output): DownloadContext {
  return { api, outDir, output, reserved: new Set() };
}

describe('receiving files', () => {
  it('saves verified bytes under the name, next to an existing file instead of over it', async () => {
    await writeFile(join(outDir, 'notes.txt'), 'mine');
    const bytes = Buffer.from('hello from the sender\n');
    const out = recordingOutput();
    const tally = new DownloadTally();
    await receiveFile(remote('f1', 'notes.txt', bytes), context(grantingApi(), out), tally);
    assert.equal(await readFile(join(outDir, 'notes.txt'), 'utf8'), 'mine');
    assert.deepEqual(await readFile(join(outDir, 'notes (1).txt')), bytes);
    assert.deepEqual((await readdir(outDir)).sort(), ['notes (1).txt', 'notes.txt']);
    assert.equal(out.events[0]?.event, 'downloaded');
    assert.equal(out.events[0]?.verified, true);
    assert.equal(tally.exitCode, EXIT.OK);
  });

  it('deletes a file whose bytes do not match its SHA-256, reports it, and exits 5 at the end', async () => {
    const out = recordingOutput();
    const tally = new DownloadTally();
    const ctx = context(grantingApi(), out);
    const good = Buffer.from('good bytes');
    const declared = Buffer.from('declared bytes');
    const tampered = Buffer.from('tampered byte');
    await receiveFile(remote('bad', 'photo.jpg', declared, tampered), ctx, tally);
    await receiveFile(remote('ok', 'other.txt', good), ctx, tally);
    assert.deepEqual(await readdir(outDir), ['other.txt'], 'no photo.jpg, no .part left');
    assert.equal(tally.exitCode, EXIT.INTEGRITY);
    assert.equal(tally.saved, 1);
    const failed = out.events.find((e) => e.event === 'failed');
    assert.equal(failed?.code, 'INTEGRITY_MISMATCH');
    assert.match(out.lines.join('\n'), /photo\.jpg: the downloaded bytes do not match/);
  });

  it('reports a file over its download limit and goes on with the others', async () => {
    const out = recordingOutput();
    const tally = new DownloadTally();
    const limit = new CliError(
      'This file has been downloaded as many times as its session allows.',
      EXIT.GONE,
      'DOWNLOAD_LIMIT_REACHED',
    );
    const ctx = context(grantingApi({ spent: limit }), out);
    await receiveFile(remote('spent', 'spent.txt', Buffer.from('x')), ctx, tally);
    await receiveFile(remote('fresh', 'fresh.txt', Buffer.from('y')), ctx, tally);
    assert.deepEqual(await readdir(outDir), ['fresh.txt']);
    assert.equal(tally.exitCode, EXIT.GONE);
    assert.match(out.lines.join('\n'), /spent\.txt: This file has been downloaded as many times/);
  });

  it('stops the whole run when the session has ended', async () => {
    const ended = new CliError(
      'The sharing session has ended (closed or expired).',
      EXIT.GONE,
      'SESSION_EXPIRED',
    );
    const ctx = context(grantingApi({ f: ended }), recordingOutput());
    await assert.rejects(
      receiveFile(remote('f', 'f.txt', Buffer.from('z')), ctx, new DownloadTally()),
      ended,
    );
  });

  it('deletes the part file when storage breaks off', async () => {
    const out = recordingOutput();
    const tally = new DownloadTally();
    // Storage has no such object: 404 before any byte.
    const file = remote('gone', 'gone.txt', Buffer.from('q'));
    objects.delete('/gone');
    await receiveFile(file, context(grantingApi(), out), tally);
    assert.deepEqual(await readdir(outDir), []);
    assert.equal(tally.exitCode, EXIT.NOT_FOUND);
  });
});
