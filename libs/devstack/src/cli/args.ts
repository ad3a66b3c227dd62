// Command line of `npm run devstack`: parsed and validated up front, so a typo stops the command
// with a one-line reason (exit 2) before any server starts.
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_MONGO_PORT,
  DEFAULT_S3_PORT,
  type DevstackPlan,
  type PortChoice,
} from '../embedded/launch-plan.js';

/** Separate from `npm start`'s ./data, so both can run side by side without sharing files. */
export const DEFAULT_DATA_DIR = './data/devstack';

export const USAGE = `Usage: npm run devstack -- [--data-dir DIR] [--mongo-port N] [--s3-port N]

Runs the devstack's MongoDB-wire and S3 servers on 127.0.0.1 in the foreground and prints
their settings as KEY=value lines (for eval or a .env file). Ctrl-C stops them.

  --data-dir DIR    where both servers keep their data (default ${DEFAULT_DATA_DIR})
  --mongo-port N    MongoDB port (default ${String(DEFAULT_MONGO_PORT)}; 0 picks a free port)
  --s3-port N       S3 port (default ${String(DEFAULT_S3_PORT)}; 0 picks a free port)
  -h, --help        show this help

Environment: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (both or neither) set the credentials
the S3 server accepts; S3_REGION its region (default us-east-1).

It keeps running, so capture the lines in a file and load them elsewhere:
  npm run -s devstack > .devstack.env &
  set -a; . ./.devstack.env; set +a`;

export class UsageError extends Error {}

export type CliCommand = { help: true } | { help: false; plan: DevstackPlan; region: string };

type Env = Readonly<Record<string, string | undefined>>;

function port(name: string, raw: string | undefined, fallback: number): PortChoice {
  if (raw === undefined) return { port: fallback, explicit: false };
  const value = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= 0 && value <= 65535)) {
    throw new UsageError(`--${name}: must be an integer between 0 and 65535, got "${raw}"`);
  }
  return { port: value, explicit: true };
}

function credentials(env: Env): DevstackPlan['credentials'] {
  const accessKeyId = env.S3_ACCESS_KEY_ID ?? '';
  const secretAccessKey = env.S3_SECRET_ACCESS_KEY ?? '';
  if (accessKeyId === '' && secretAccessKey === '') return undefined;
  if (accessKeyId === '' || secretAccessKey === '') {
    throw new UsageError('set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither');
  }
  return { accessKeyId, secretAccessKey };
}

/** Parses argv (without node and the script) against the environment; throws UsageError. */
export function parseCli(argv: readonly string[], env: Env, cwd: string): CliCommand {
  let values: { 'data-dir'?: string; 'mongo-port'?: string; 's3-port'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        'data-dir': { type: 'string' },
        'mongo-port': { type: 'string' },
        's3-port': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    // node:util's messages name the offending option; drop its hint about positional "--".
    const message = err instanceof Error ? err.message.split('. To specify')[0] : String(err);
    throw new UsageError(message ?? 'invalid arguments');
  }
  if (values.help === true) return { help: true };
  const rawDir = values['data-dir'] ?? DEFAULT_DATA_DIR;
  if (rawDir.trim() === '') throw new UsageError('--data-dir: must not be empty');
  return {
    help: false,
    plan: {
      dataDir: isAbsolute(rawDir) ? rawDir : resolve(cwd, rawDir),
      mongoPort: port('mongo-port', values['mongo-port'], DEFAULT_MONGO_PORT),
      s3Port: port('s3-port', values['s3-port'], DEFAULT_S3_PORT),
      credentials: credentials(env),
    },
    region: env.S3_REGION?.trim() || 'us-east-1',
  };
}
