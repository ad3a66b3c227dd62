// One file from the session to disk: a download grant, then the presigned GET streamed to
// `<name>.part` while hashing, verified against the file's SHA-256, then moved to its final name
// (which never replaces an existing file).

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError, EXIT } from '../core/errors.ts';
import type { Output } from '../core/output.ts';
import type { Requester } from './clock.ts';
import { localName, uniqueName } from './file-names.ts';
import type { DownloadGrant, RemoteFile } from './types.ts';

export interface Downloaded {
  readonly file: RemoteFile;
  readonly path: string;
  readonly remainingDownloads: number;
}

export interface DownloadContext {
  readonly api: Requester;
  readonly outDir: string;
  readonly output: Output;
  readonly signal?: AbortSignal;
  /** Names chosen by this run and not yet on disk (two files named alike in one session). */
  readonly reserved: Set<string>;
}

export async function downloadFile(file: RemoteFile, ctx: DownloadContext): Promise<Downloaded> {
  const grant = await ctx.api.request<DownloadGrant>(
    'POST',
    `/v1/files/${encodeURIComponent(file.id)}/downloads`,
    undefined,
    { signal: ctx.signal },
  );
  const body = await fetchGranted(grant.url, file, ctx.signal);
  const { name, handle } = await openPart(file, ctx);
  const partPath = join(ctx.outDir, `${name}.part`);
  try {
    const digest = await writeHashing(body, handle, file, name, ctx);
    if (digest.size !== file.size || digest.sha256 !== file.sha256) {
      throw new CliError(
        `${file.name}: the downloaded bytes do not match the file (expected ${file.size} bytes with SHA-256 ${file.sha256}, got ${digest.size} bytes with ${digest.sha256}); the partial file was deleted.`,
        EXIT.INTEGRITY,
        'INTEGRITY_MISMATCH',
      );
    }
    const path = await moveToFinal(partPath, name, ctx);
    return { file, path, remainingDownloads: grant.remainingDownloads };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(partPath).catch(() => undefined);
    throw error;
  } finally {
    ctx.reserved.delete(name);
    ctx.output.done(file.id);
  }
}

async function fetchGranted(
  url: string,
  file: RemoteFile,
  signal: AbortSignal | undefined,
): Promise<ReadableStream<Uint8Array>> {
  let res: Response;
  try {
    res = await fetch(url, { signal });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    const why = error instanceof Error ? (causeCode(error) ?? error.message) : String(error);
    throw new CliError(
      `${file.name}: cannot reach the file storage (${why}).`,
      EXIT.UNAVAILABLE,
      'STORAGE_UNREACHABLE',
    );
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    throw new CliError(
      `${file.name}: the file storage refused the download (HTTP ${res.status}).`,
      res.status === 404 ? EXIT.NOT_FOUND : res.status >= 500 ? EXIT.UNAVAILABLE : EXIT.FAILURE,
      'STORAGE_REFUSED',
    );
  }
  return res.body;
}

function causeCode(error: Error): string | undefined {
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A name free on disk (as itself and as `.part`) and in this run, with its part file created. */
async function openPart(
  file: RemoteFile,
  ctx: DownloadContext,
): Promise<{ name: string; handle: FileHandle }> {
  const wanted = localName(file.name);
  for (;;) {
    const name = uniqueName(
      wanted,
      (candidate) =>
        ctx.reserved.has(candidate) ||
        existsSync(join(ctx.outDir, candidate)) ||
        existsSync(join(ctx.outDir, `${candidate}.part`)),
    );
    ctx.reserved.add(name);
    try {
      // 'wx': never truncate a file that appeared meanwhile.
      return { name, handle: await open(join(ctx.outDir, `${name}.part`), 'wx', 0o644) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        ctx.reserved.delete(name);
        throw new CliError(
          `Cannot write to ${ctx.outDir}: ${(error as Error).message}`,
          EXIT.FAILURE,
          'WRITE_FAILED',
        );
      }
    }
  }
}

async function writeHashing(
  body: ReadableStream<Uint8Array>,
  handle: FileHandle,
  file: RemoteFile,
  name: string,
  ctx: DownloadContext,
): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  ctx.output.progress(file.id, name, 0, file.size);
  try {
    for await (const chunk of body) {
      hash.update(chunk);
      size += chunk.byteLength;
      await handle.write(chunk);
      ctx.output.progress(file.id, name, size, file.size);
    }
  } catch (error) {
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    if (error instanceof CliError) throw error;
    throw new CliError(
      `${file.name}: the download broke off after ${size} of ${file.size} bytes (${(error as Error).message}).`,
      EXIT.UNAVAILABLE,
      'DOWNLOAD_BROKEN',
    );
  }
  await handle.sync();
  await handle.close();
  return { size, sha256: hash.digest('hex') };
}

/** Moves the verified part file to its name: a hard link refuses to replace what exists. */
async function moveToFinal(partPath: string, name: string, ctx: DownloadContext): Promise<string> {
  let target = name;
  for (;;) {
    const path = join(ctx.outDir, target);
    try {
      await link(partPath, path);
      await unlink(partPath);
      return path;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        // Someone created that name while we downloaded: take the next free one.
        target = uniqueName(name, (c) => existsSync(join(ctx.outDir, c)));
        continue;
      }
      // A file system without hard links (FAT, some network shares): check, then rename.
      if (!existsSync(path)) {
        await rename(partPath, path);
        return path;
      }
      target = uniqueName(name, (c) => existsSync(join(ctx.outDir, c)));
    }
  }
}
