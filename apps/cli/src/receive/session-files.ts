// The session's files: listing the ready ones, and downloading a batch where one file's failure
// is reported and the others still download.

import { CliError, EXIT } from '../core/errors.ts';
import { formatBytes } from '../core/output.ts';
import type { Requester } from './clock.ts';
import { downloadFile, type DownloadContext } from './download.ts';
import type { Page, RemoteFile } from './types.ts';

/** Every ready file of the session, oldest first (all pages). */
export async function listReadyFiles(
  api: Requester,
  sessionId: string,
  signal?: AbortSignal,
): Promise<RemoteFile[]> {
  const files: RemoteFile[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page: Page<RemoteFile> = await api.request<Page<RemoteFile>>(
      'GET',
      `/v1/sessions/${encodeURIComponent(sessionId)}/files${query}`,
      undefined,
      { signal },
    );
    files.push(...page.items.filter((file) => file.status === 'ready'));
    cursor = page.nextCursor;
  } while (cursor);
  return files;
}

/** Errors after which no other file can download either: stop instead of trying each. */
const FATAL = new Set(['SESSION_EXPIRED', 'DEVICE_ENDED', 'FORBIDDEN', 'WRITE_FAILED']);

/** What a run of downloads came to: the files saved and the exit code so far. */
export class DownloadTally {
  saved = 0;
  failed = 0;
  #exitCode: number = EXIT.OK;

  get exitCode(): number {
    return this.#exitCode;
  }

  fail(exitCode: number): void {
    this.failed++;
    // A checksum mismatch wins (exit 5); otherwise the first failure's code.
    if (exitCode === EXIT.INTEGRITY || this.#exitCode === EXIT.OK) this.#exitCode = exitCode;
  }
}

/** Downloads one file and reports it; a fatal or interrupting error is thrown. */
export async function receiveFile(
  file: RemoteFile,
  ctx: DownloadContext,
  tally: DownloadTally,
): Promise<void> {
  const { output: out } = ctx;
  try {
    const { path, remainingDownloads } = await downloadFile(file, ctx);
    tally.saved++;
    out.event({
      event: 'downloaded',
      file: { id: file.id, name: file.name, size: file.size, sha256: file.sha256 },
      path,
      verified: true,
      remainingDownloads,
    });
    out.info(`Saved ${path} (${formatBytes(file.size)}, SHA-256 verified).`);
    if (!out.json) out.result(path);
  } catch (error) {
    if (ctx.signal?.aborted) {
      out.info(`${file.name}: download stopped; its partial file was deleted.`);
      throw error;
    }
    if (!(error instanceof CliError)) throw error;
    if (error.code === 'FORBIDDEN') {
      throw new CliError(
        'The session owner does not let paired devices download files.',
        EXIT.FAILURE,
        'FORBIDDEN',
      );
    }
    if (FATAL.has(error.code ?? '')) throw error;
    const message = error.message.includes(file.name)
      ? error.message
      : `${file.name}: ${error.message}`;
    tally.fail(error.exitCode);
    out.event({
      event: 'failed',
      file: { id: file.id, name: file.name, size: file.size, sha256: file.sha256 },
      code: error.code ?? null,
      message,
      exitCode: error.exitCode,
    });
    out.info(message);
  }
}
