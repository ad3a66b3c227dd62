// `sharexpress receive [CODE|PAIRING_URL]`: join a session as a device and download its files.

import { mkdir, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parseCommand } from '../core/args.ts';
import type { CommandContext } from '../core/command.ts';
import { CliError, EXIT, usageError } from '../core/errors.ts';
import { ask } from '../core/prompt.ts';
import { claimDevice } from '../receive/claim.ts';
import { DeviceClient } from '../receive/device-client.ts';
import { followSession, latestSeq } from '../receive/follow.ts';
import { DownloadTally, listReadyFiles, receiveFile } from '../receive/session-files.ts';
import { parseTarget, TargetError, type PairingTarget } from '../receive/target.ts';

export const help = `Usage: sharexpress receive [CODE|PAIRING_URL] [--out DIR] [--device-name NAME] [--follow] [--json]

Joins a sharing session as a device, with the code the sender shows (ABCD-EFGH; dash and case
do not matter) or the pairing URL the QR code holds (https://…/pair#…), then downloads the
session's ready files. Without CODE it asks for it (on a terminal only).

Each file is streamed to "<name>.part", its SHA-256 checked against the one the sender declared,
then renamed; an existing file is never overwritten ("photo (1).jpg"). A file that fails its
check is deleted (exit 5); the other files still download.

Options:
  --out DIR           where to save the files (default: the current directory; created if missing)
  --device-name NAME  how the sender sees this device (default: "<hostname> (terminal)")
  --follow            keep downloading new files as they become ready, until the session ends
                      (exit 0) or Ctrl-C (exit 130)

A pairing URL names its server: it is used unless --server or SHAREXPRESS_URL is set.
When the session asks for approval, waits until the owner approves (or declines: exit 3).
The device token is kept in memory only, never written to disk: a later run pairs again.

--json: one line per event on stdout: {"event":"claimed",...}, {"event":"waiting","interval"},
{"event":"downloaded","file","path","verified":true}, {"event":"failed","file","code","message"},
{"event":"end","reason"} (--follow), {"event":"done","files"}.
`;

const MAX_DEVICE_NAME = 64;

export async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand('receive', ctx.args, {
    out: { type: 'string' },
    'device-name': { type: 'string' },
    follow: { type: 'boolean' },
  });
  if (positionals.length > 1) {
    throw usageError('receive takes one code or pairing URL.\nSee `sharexpress receive --help`.');
  }
  const deviceName = checkDeviceName(values['device-name'] ?? defaultDeviceName());
  const outDir = await outputDirectory(values.out ?? '.');
  const target = await readTarget(positionals[0]);
  const server = serverFor(target, ctx);
  const out = ctx.out;

  const claim = await claimDevice({ server, target, deviceName, out, signal: ctx.signal });
  const api = new DeviceClient(server, claim);
  let renewalError: unknown;
  api.startRenewing((error) => {
    renewalError = error;
  });
  try {
    const sessionId = claim.session.id;
    const follow = values.follow === true;
    // Where the live events start is read before the listing, so a file that becomes ready
    // in between is in one or the other.
    const after = follow ? await latestSeq(api, sessionId, ctx.signal) : 0;
    const files = await listReadyFiles(api, sessionId, ctx.signal);
    const tally = new DownloadTally();
    const download = { api, outDir, output: out, signal: ctx.signal, reserved: new Set<string>() };
    const seen = new Set<string>();
    if (files.length === 0) {
      out.info(
        follow
          ? 'No files yet; waiting for the sender (Ctrl-C to stop).'
          : 'The session has no files ready to download.',
      );
    }
    for (const file of files) {
      seen.add(file.id);
      await receiveFile(file, download, tally);
    }
    let exitCode = tally.exitCode;
    if (follow) {
      if (files.length > 0) out.info('Waiting for more files (Ctrl-C to stop).');
      const ending = await followSession(api, sessionId, after, download, tally, seen);
      exitCode = tally.exitCode !== EXIT.OK ? tally.exitCode : ending;
    }
    out.event({ event: 'done', files: tally.saved, failed: tally.failed });
    if (tally.saved > 0 || tally.failed > 0) {
      out.info(
        `${tally.saved} file${tally.saved === 1 ? '' : 's'} saved in ${outDir}` +
          (tally.failed > 0 ? `, ${tally.failed} failed.` : '.'),
      );
    }
    return exitCode;
  } catch (error) {
    if (ctx.signal.aborted) {
      out.info('Interrupted: the files saved so far are kept.');
    }
    throw renewalError instanceof CliError && !ctx.signal.aborted ? renewalError : error;
  } finally {
    api.stop();
  }
}

async function readTarget(arg: string | undefined): Promise<PairingTarget> {
  let text = arg;
  if (text === undefined) {
    if (process.stdin.isTTY !== true) {
      throw usageError(
        'receive needs a pairing code or URL (it asks for one only on a terminal).\nSee `sharexpress receive --help`.',
      );
    }
    text = (await ask('Pairing code: ')) ?? '';
    if (text.trim() === '') throw usageError('No pairing code given.');
  }
  try {
    return parseTarget(text);
  } catch (error) {
    if (error instanceof TargetError) throw usageError(error.message);
    throw error;
  }
}

/**
 * The API to pair with: a pairing URL points at its own server, unless --server or
 * SHAREXPRESS_URL says otherwise (an explicit choice wins, e.g. behind a different address).
 */
function serverFor(target: PairingTarget, ctx: CommandContext): string {
  if (target.kind !== 'secret') return ctx.server;
  const explicit = ctx.serverSource !== 'default';
  if (!explicit) return target.server;
  if (target.server !== ctx.server) {
    ctx.out.info(
      `Pairing through ${ctx.server} (--server or SHAREXPRESS_URL), not ${target.server}.`,
    );
  }
  return ctx.server;
}

function defaultDeviceName(): string {
  return `${hostname().slice(0, MAX_DEVICE_NAME - ' (terminal)'.length)} (terminal)`;
}

function checkDeviceName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || [...trimmed].length > MAX_DEVICE_NAME) {
    throw usageError(`--device-name must be 1 to ${MAX_DEVICE_NAME} characters.`);
  }
  return trimmed;
}

async function outputDirectory(dir: string): Promise<string> {
  const path = resolve(dir);
  try {
    await mkdir(path, { recursive: true });
    if (!(await stat(path)).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new CliError(
      `Cannot save files in ${path}: ${(error as Error).message}`,
      EXIT.FAILURE,
      'WRITE_FAILED',
    );
  }
  return path;
}
