// --follow: after the files already there, download each file that becomes ready, until the
// session ends (or this device is removed, or Ctrl-C).

import { CliError, EXIT } from '../core/errors.ts';
import { subscribe } from '../core/sse.ts';
import type { DeviceClient } from './device-client.ts';
import type { DownloadContext } from './download.ts';
import { receiveFile, type DownloadTally } from './session-files.ts';
import type { Page, RemoteFile, SessionEvent } from './types.ts';

/** The session's latest event seq: where following starts, so no file.ready is missed. */
export async function latestSeq(
  api: DeviceClient,
  sessionId: string,
  signal?: AbortSignal,
): Promise<number> {
  let after = 0;
  for (;;) {
    const page = await api.request<Page<SessionEvent>>(
      'GET',
      `/v1/sessions/${encodeURIComponent(sessionId)}/activity?after=${after}&limit=100`,
      undefined,
      { signal },
    );
    const last = page.items.at(-1);
    if (last) after = last.seq;
    if (page.nextCursor === null || !last) return after;
  }
}

const ENDINGS: Record<string, { message: string; exitCode: number } | undefined> = {
  session_closed: { message: 'The owner closed the session.', exitCode: EXIT.OK },
  session_expired: { message: 'The session has expired.', exitCode: EXIT.OK },
  device_revoked: {
    message: 'The owner removed this device from the session.',
    exitCode: EXIT.AUTH,
  },
  device_rejected: { message: 'The owner declined this device.', exitCode: EXIT.AUTH },
  unauthenticated: {
    message: 'This device no longer has access: the session ended or the owner removed it.',
    exitCode: EXIT.AUTH,
  },
  not_found: { message: 'The session is gone.', exitCode: EXIT.NOT_FOUND },
};

/**
 * Follows the session's events from `after`, downloading each `file.ready` (one at a time, each
 * file once) until the stream ends. Resolves with the exit code the ending calls for.
 */
export function followSession(
  api: DeviceClient,
  sessionId: string,
  after: number,
  ctx: DownloadContext,
  tally: DownloadTally,
  seen: Set<string>,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let queue = Promise.resolve();
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      unsubscribe();
      ctx.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => finish(() => reject(ctx.signal?.reason as Error));
    const enqueue = (fileId: string): void => {
      if (seen.has(fileId)) return;
      seen.add(fileId);
      queue = queue.then(async () => {
        if (settled) return;
        const file = await api.request<RemoteFile>(
          'GET',
          `/v1/files/${encodeURIComponent(fileId)}`,
          undefined,
          { signal: ctx.signal },
        );
        await receiveFile(file, ctx, tally);
      });
      queue = queue.catch((error: unknown) => {
        // A file deleted before we got to it is no failure of ours.
        if (error instanceof CliError && error.code === 'NOT_FOUND') return;
        finish(() => reject(error instanceof Error ? error : new Error(String(error))));
      });
    };
    const unsubscribe = subscribe(
      api,
      sessionId,
      {
        onEvent: (event) => {
          if (event.type === 'file.ready' && typeof event.data.fileId === 'string') {
            enqueue(event.data.fileId);
          }
        },
        onEnd: (reason) => {
          // Finish what was already announced first (the session's last files may be queued).
          void queue.then(() => {
            const ending = ENDINGS[reason] ?? {
              message: `The live updates stopped (${reason}).`,
              exitCode: EXIT.FAILURE,
            };
            ctx.output.info(ending.message);
            ctx.output.event({ event: 'end', reason });
            finish(() => resolve(ending.exitCode));
          });
        },
        onRetry: (error, delayMs) =>
          ctx.output.info(
            `Live updates interrupted (${error.message}); reconnecting in ${Math.ceil(delayMs / 1000)} s.`,
          ),
      },
      after,
    );
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
