// What main.ts hands a command, and what a command module exports:
//   export const help: string;                        // `sharexpress <name> --help`
//   export async function run(ctx: CommandContext): Promise<number | void>;
// `run` resolves with the exit code (undefined = 0) or throws a CliError (its exitCode). When
// `ctx.signal` is aborted (Ctrl-C) it should stop promptly; main then exits 130.
import type { Env } from './config-dir.ts';
import type { Output } from './output.ts';

export interface CommandContext {
  /** The command's own arguments: global flags (--json, --server, --help) removed. */
  readonly args: readonly string[];
  /** The API's base URL, without a trailing slash (--server, SHAREXPRESS_URL, or localhost). */
  readonly server: string;
  /** Where `server` came from: --server, SHAREXPRESS_URL, or the localhost default. */
  readonly serverSource: 'flag' | 'env' | 'default';
  readonly json: boolean;
  readonly out: Output;
  readonly env: Env;
  /** Aborted on the first Ctrl-C (SIGINT) or SIGTERM. */
  readonly signal: AbortSignal;
}

export interface CommandModule {
  readonly help?: string;
  run(ctx: CommandContext): Promise<number | void>;
}
