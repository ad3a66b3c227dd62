// `sharexpress send FILE…`: a session, the files uploaded into it (resumable), a pairing shown
// as a QR code, then the session's live events until it ends or Ctrl-C.
import { basename } from 'node:path';
import { userClient } from '../core/client.ts';
import type { CommandContext } from '../core/command.ts';
import { CliError, EXIT } from '../core/errors.ts';
import { formatBytes, type Output } from '../core/output.ts';
import { ask, closePrompt } from '../core/prompt.ts';
import { subscribe } from '../core/sse.ts';
import { endText } from '../send/describe.ts';
import { LiveFollower } from '../send/live.ts';
import { parseSendArgs } from '../send/options.ts';
import { Pairings, time } from '../send/pairing.ts';
import { FileProgress } from '../send/progress.ts';
import { latestSeq, openSession, type Session } from '../send/session.ts';
import { StateFile } from '../send/state.ts';
import { uploadFile } from '../upload/file-upload.ts';

export const help = `Usage: sharexpress send FILE… [--ttl 1h] [--downloads 3] [--approve] [--name NAME] [--json]

Creates a sharing session, uploads the files into it, shows a QR code (with the typed code and
the pairing URL) for other devices, then follows the session until it ends or Ctrl-C.

  --ttl DURATION    how long the session lasts: 30s, 10m, 1h, 2d or seconds (server default 1h)
  --downloads N     how many times each file may be downloaded
  --approve         ask "Approve <name>? [y/N]" for each device that wants to join
  --name NAME       the session's name

Interrupted (Ctrl-C, a lost connection), the same command again resumes: the same session if it
is still open, only the parts storage does not hold yet. Ctrl-C leaves the session open until it
expires (\`sharexpress close ID\` ends it).
`;

export async function run(ctx: CommandContext): Promise<number> {
  const { out, env } = ctx;
  const { files, options } = parseSendArgs([...ctx.args]);
  const client = userClient(ctx.server, env);
  const state = StateFile.open(client.baseUrl, files, options, env);

  const stop = { signal: ctx.signal };
  let session: Session | null = null;
  try {
    const opened = await openSession(client, out, state, options);
    session = opened.session;
    out.event({ event: 'session', session });
    if (!opened.reused)
      out.info(
        `Session "${session.name}" (${session.id}) is open until ${time(session.expiresAt)}.`,
      );
    const names = new Map<string, string>();
    for (const [index, record] of state.state.files.entries()) {
      if (stop.signal.aborted) break;
      const name = basename(record.path);
      const progress = new FileProgress(out, `file-${String(index)}`, name);
      progress.fileId = record.fileId ?? null;
      const result = await uploadFile(
        {
          client,
          sessionId: session.id,
          signal: stop.signal,
          save: () => {
            progress.fileId = record.fileId ?? null;
            state.save();
          },
          progress: (phase, done, total) => progress.update(phase, done, total),
          note: (text) => out.info(text),
        },
        record,
      );
      progress.finish();
      names.set(result.file.id, result.file.name);
      out.event({
        event: 'uploaded',
        file: result.file,
        resumed: result.resumed,
        partsSent: result.partsSent,
      });
      out.info(uploadedText(result.file.name, result.file.size, result.resumed, result.partsSent));
    }
    if (stop.signal.aborted) throw stop.signal.reason;
    const after = await latestSeq(client, session.id);
    return await follow(client, out, session, options.approve, names, stop.signal, state, after);
  } catch (error) {
    if (stop.signal.aborted) {
      out.info(interruptedText(session));
      return EXIT.INTERRUPTED;
    }
    throw error;
  } finally {
    closePrompt();
  }
}

/** Shows a pairing and follows the session until it ends (0) or Ctrl-C (130). */
function follow(
  client: ReturnType<typeof userClient>,
  out: Output,
  session: Session,
  approve: boolean,
  files: Map<string, string>,
  signal: AbortSignal,
  state: StateFile,
  after: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let unsubscribe = (): void => undefined;
    const finish = (outcome: () => void): void => {
      unsubscribe();
      pairings.stop();
      live.stop();
      signal.removeEventListener('abort', onAbort);
      outcome();
    };
    const pairings = new Pairings(client, out, session.id, (error) => {
      // The session ended meanwhile: the live stream says so; anything else ends the command.
      if (error instanceof CliError && error.code === 'SESSION_EXPIRED') return;
      finish(() => reject(error instanceof Error ? error : new Error(String(error))));
    });
    const live = new LiveFollower({
      client,
      out,
      sessionId: session.id,
      approve,
      files,
      maxDownloads: session.limits.maxDownloadsPerFile,
      ask: (question) => ask(question),
      renewPairing: () =>
        pairings.renew('The pairing was used: here is a new one for the next device.'),
    });
    const onAbort = (): void =>
      finish(() => {
        out.event({ event: 'end', reason: 'interrupted' });
        out.info(interruptedText(session));
        resolve(EXIT.INTERRUPTED);
      });
    signal.addEventListener('abort', onAbort, { once: true });
    unsubscribe = subscribe(
      client,
      session.id,
      {
        onEvent: (e) => live.handle(e),
        onEnd: (reason) =>
          finish(() => {
            out.event({ event: 'end', reason });
            out.info(endText(reason));
            if (reason === 'session_expired' || reason === 'session_closed') {
              state.remove();
              resolve(EXIT.OK);
            } else {
              reject(
                new CliError(
                  endText(reason),
                  reason === 'unauthenticated' ? EXIT.AUTH : EXIT.FAILURE,
                  reason.toUpperCase(),
                ),
              );
            }
          }),
        onRetry: (error, delayMs) =>
          out.info(
            `Live events interrupted (${error.message}); reconnecting in ${String(Math.ceil(delayMs / 1000))} s.`,
          ),
      },
      after,
    );
    void pairings.renew();
    out.info('Following the session: Ctrl-C to stop.');
  });
}

function uploadedText(name: string, size: number, resumed: boolean, partsSent: number): string {
  if (resumed && partsSent === 0) return `${name} was uploaded already.`;
  if (resumed)
    return `Uploaded ${name} (${formatBytes(size)}), resumed: ${String(partsSent)} part${partsSent === 1 ? '' : 's'} sent this time.`;
  return `Uploaded ${name} (${formatBytes(size)}).`;
}

function interruptedText(session: Session | null): string {
  if (session === null) return 'Stopped.';
  return `Stopped. The session stays open until ${time(session.expiresAt)} (\`sharexpress close ${session.id}\` ends it sooner); run the same command again to resume.`;
}
