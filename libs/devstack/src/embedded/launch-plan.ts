// Decides what `npm start` runs from the environment: the embedded devstack (neither MONGODB_URI
// nor S3_ENDPOINT set) or only the apps against external services (both set). The apps' own
// settings are validated once here with the product's loadConfig, so a typo stops everything
// before any server starts, with the same one-line-per-problem messages the apps print.
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, loadConfig, type AppConfig } from '@app/config';
import { isBindHost, isWildcardHost, urlHost } from './hosts.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Stable defaults so a restart serves the same URIs; taken ports fall back to free ones. */
export const DEFAULT_MONGO_PORT = 27018;
export const DEFAULT_S3_PORT = 9000;
/** The devstack is not hardened: it stays on loopback unless the operator says otherwise. */
export const DEFAULT_S3_HOST = '127.0.0.1';

export interface PortChoice {
  port: number;
  /** Set by the operator: a taken port is then an error rather than a silent fallback. */
  explicit: boolean;
}

export interface DevstackPlan {
  dataDir: string;
  mongoPort: PortChoice;
  s3Port: PortChoice;
  /** Where the devstack S3 binds (DEVSTACK_S3_HOST); absent: DEFAULT_S3_HOST. */
  s3Host?: string;
  /**
   * Host for the apps' S3_PUBLIC_ENDPOINT (the one presigned URLs name), with the S3 port added
   * once it is known; absent when the operator set S3_PUBLIC_ENDPOINT.
   */
  s3PublicHost?: string;
  /** Credentials the devstack S3 accepts; the operator's S3_* values when given. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface LaunchPlan {
  /** Settings as the apps will see them (connection values are placeholders in embedded mode). */
  config: AppConfig;
  /** Absent when the apps run against external MongoDB and S3. */
  devstack?: DevstackPlan;
  /** Environment for the child processes, before connection settings are added. */
  childEnv: Record<string, string>;
}

export class LaunchError extends Error {}

// Placeholders only used to validate the rest of the configuration before the devstack exists.
const PLACEHOLDERS = {
  MONGODB_URI: 'mongodb://127.0.0.1:1/sharexpress',
  S3_ENDPOINT: 'http://127.0.0.1:1',
  S3_ACCESS_KEY_ID: 'placeholder',
  S3_SECRET_ACCESS_KEY: 'placeholder',
};

function readPort(env: Env, name: string, fallback: number): PortChoice {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return { port: fallback, explicit: false };
  const port = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new LaunchError(`${name}: must be an integer between 0 and 65535, got "${raw}"`);
  }
  return { port, explicit: true };
}

function readHost(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!isBindHost(raw)) {
    throw new LaunchError(
      `${name}: must be an IP address (IPv6 without brackets) or a hostname, e.g. 127.0.0.1 or 0.0.0.0, got "${raw}"`,
    );
  }
  return raw;
}

/**
 * A wildcard bind is reached the way PUBLIC_URL is (a phone that opens the page reaches storage
 * on the same machine); a specific address is reached at that address.
 */
function publicHostFor(s3Host: string, publicUrl: string): string {
  return isWildcardHost(s3Host) ? new URL(publicUrl).hostname : urlHost(s3Host);
}

function isSet(env: Env, name: string): boolean {
  return (env[name]?.trim() ?? '') !== '';
}

export function planLaunch(env: Env, cwd: string): LaunchPlan {
  const hasMongo = isSet(env, 'MONGODB_URI');
  const hasS3 = isSet(env, 'S3_ENDPOINT');
  if (hasMongo !== hasS3) {
    const [set, unset] = hasMongo ? ['MONGODB_URI', 'S3_ENDPOINT'] : ['S3_ENDPOINT', 'MONGODB_URI'];
    throw new LaunchError(
      `${set} is set but ${unset} is not: set both to use external services, or neither to run the embedded devstack`,
    );
  }
  const childEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) childEnv[name] = value;

  const rawDataDir = env.DATA_DIR?.trim() || './data';
  const dataDir = isAbsolute(rawDataDir) ? rawDataDir : resolve(cwd, rawDataDir);
  // Children get an absolute path so their view of DATA_DIR never depends on their cwd.
  childEnv.DATA_DIR = dataDir;

  let devstack: DevstackPlan | undefined;
  let checkEnv: Env = childEnv;
  if (!hasMongo) {
    const credentials =
      isSet(env, 'S3_ACCESS_KEY_ID') && isSet(env, 'S3_SECRET_ACCESS_KEY')
        ? {
            accessKeyId: env.S3_ACCESS_KEY_ID ?? '',
            secretAccessKey: env.S3_SECRET_ACCESS_KEY ?? '',
          }
        : undefined;
    devstack = {
      dataDir,
      mongoPort: readPort(env, 'DEVSTACK_MONGO_PORT', DEFAULT_MONGO_PORT),
      s3Port: readPort(env, 'DEVSTACK_S3_PORT', DEFAULT_S3_PORT),
      s3Host: readHost(env, 'DEVSTACK_S3_HOST', DEFAULT_S3_HOST),
      credentials,
    };
    // The devstack's keys are long-term ones: a session token from the shell (left over from
    // an AWS login, say) would make it answer every request 400 InvalidToken.
    delete childEnv.S3_SESSION_TOKEN;
    checkEnv = { ...childEnv, ...PLACEHOLDERS };
  }
  let config: AppConfig;
  try {
    config = loadConfig(checkEnv);
  } catch (err) {
    if (err instanceof ConfigError) throw new LaunchError(err.message);
    throw err;
  }
  if (devstack !== undefined && !isSet(env, 'S3_PUBLIC_ENDPOINT')) {
    devstack.s3PublicHost = publicHostFor(devstack.s3Host ?? DEFAULT_S3_HOST, config.publicUrl);
  }
  return { config, devstack, childEnv };
}
