// Command-line parsing: the global flags anywhere before `--`, then each command's own options
// with node:util's parseArgs (strict: an unknown option is a usage error, exit 2).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './errors.ts';

export const DEFAULT_SERVER = 'http://localhost:3000';

export interface GlobalArgs {
  /** The first word that is not a global flag; undefined when there is none. */
  readonly command: string | undefined;
  /** Everything after the command except the global flags. */
  readonly rest: string[];
  readonly json: boolean;
  readonly help: boolean;
  readonly version: boolean;
  readonly server: string | undefined;
}

export function splitGlobal(argv: readonly string[]): GlobalArgs {
  let command: string | undefined;
  const rest: string[] = [];
  let json = false;
  let help = false;
  let version = false;
  let server: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--version' || arg === '-V') version = true;
    else if (arg === '--server' || arg.startsWith('--server=')) {
      const value = arg === '--server' ? argv[++i] : arg.slice('--server='.length);
      if (value === undefined || value === '' || value.startsWith('-')) {
        throw usageError('--server needs a URL, e.g. --server https://share.example.com');
      }
      server = value;
    } else if (command === undefined && !arg.startsWith('-')) command = arg;
    else rest.push(arg);
  }
  return { command, rest, json, help, version, server };
}

/** `--server`, else SHAREXPRESS_URL, else localhost:3000; an http(s) URL without a trailing /. */
export function resolveServer(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const raw = flag ?? (env.SHAREXPRESS_URL || DEFAULT_SERVER);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`Not a server URL: ${raw} (expected e.g. https://share.example.com)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(`The server URL must start with http:// or https:// (got ${raw})`);
  }
  if (url.search || url.hash)
    throw usageError(`The server URL takes no ?query or #fragment: ${raw}`);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed<O extends Options> {
  values: ReturnType<
    typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>
  >['values'];
  positionals: string[];
}

/** parseArgs, strict, with its errors turned into usage errors that name the command. */
export function parseCommand<O extends Options>(
  command: string,
  args: readonly string[],
  options: O,
): Parsed<O> {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options,
      allowPositionals: true,
      strict: true,
    });
    return { values, positionals };
  } catch (err) {
    const message =
      err instanceof Error ? err.message.replace(/\. To specify.*$/s, '') : String(err);
    throw usageError(`${message}\nSee \`sharexpress ${command} --help\`.`);
  }
}

/** A positive whole number option (`--limit 5`); usage error otherwise. */
export function positiveInt(name: string, raw: string | undefined, max = Number.MAX_SAFE_INTEGER) {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw usageError(`--${name} must be a whole number from 1 to ${max} (got ${raw})`);
  }
  return Number(raw);
}
