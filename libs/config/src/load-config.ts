import { isIP } from 'node:net';
import { JOB_NAMES, type AppConfig, type JobName, type LogLevel } from './app-config.js';
import { ConfigError } from './config-error.js';
import { DEFAULT_BLOCKED_CONTENT_TYPES, readContentTypes } from './content-types.js';
import { EnvReader, type Env } from './env-reader.js';
import { readSigningKey, readVerifyKeys } from './jwt-keys.js';

const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];
const NODE_ENVS = ['development', 'production', 'test'] as const;
const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);
const DAY = 86_400;
// OWASP's scrypt floor is N=2^17 (r=8, p=1). Above 2^20 a stored hash is refused as corrupt.
const SCRYPT_LOG2N_FLOOR = 17;
const SCRYPT_LOG2N_MAX = 20;
// Outside production a cheaper cost keeps tests and local runs fast; below 2^10 is pointless.
const SCRYPT_LOG2N_MIN = 10;

function readTrustProxy(env: EnvReader): AppConfig['trustProxy'] {
  const value = env.raw('TRUST_PROXY');
  if (value === undefined || value.toLowerCase() === 'false') return false;
  if (value.toLowerCase() === 'true') return true;
  if (/^\d+$/.test(value)) return env.int('TRUST_PROXY', 0, 1, 100);
  const entries = value.split(',').map((e) => e.trim());
  const valid = entries.every((entry) => {
    if (PROXY_KEYWORDS.has(entry)) return true;
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return false;
    if (prefix === undefined) return true;
    const bits = /^\d+$/.test(prefix) ? Number(prefix) : -1;
    return bits >= 0 && bits <= (family === 4 ? 32 : 128);
  });
  if (!valid) {
    env.fail('TRUST_PROXY', 'must be false, true, a hop count, or a comma-separated IP/CIDR list');
    return false;
  }
  return entries;
}

function readCorsOrigins(env: EnvReader, publicUrl: string): string[] {
  const value = env.raw('CORS_ORIGINS');
  if (value === undefined) return [new URL(publicUrl).origin];
  const origins: string[] = [];
  for (const entry of value.split(',').map((e) => e.trim())) {
    let origin: string | undefined;
    try {
      const url = new URL(entry);
      // An origin is scheme://host[:port] and nothing else.
      if (url.origin === entry.replace(/\/$/, '') && url.origin !== 'null') origin = url.origin;
    } catch {
      origin = undefined;
    }
    if (origin === undefined) {
      env.fail(
        'CORS_ORIGINS',
        'must be a comma-separated list of origins like https://app.example.com',
      );
      return [];
    }
    origins.push(origin);
  }
  return origins;
}

// RFC 7519 `iss` is any StringOrURI; used verbatim on both signing and verifying sides.
function readIssuer(env: EnvReader): string | undefined {
  const issuer = env.raw('JWT_ISSUER');
  if (issuer === undefined || /^\S{1,256}$/.test(issuer)) return issuer;
  return env.fail('JWT_ISSUER', 'must be 1-256 characters without spaces');
}

function readScryptLog2N(env: EnvReader, nodeEnv: AppConfig['nodeEnv']): number {
  const log2N = env.int(
    'PASSWORD_SCRYPT_LOG2N',
    SCRYPT_LOG2N_FLOOR,
    SCRYPT_LOG2N_MIN,
    SCRYPT_LOG2N_MAX,
  );
  if (nodeEnv === 'production' && log2N < SCRYPT_LOG2N_FLOOR) {
    env.fail(
      'PASSWORD_SCRYPT_LOG2N',
      `must be at least ${String(SCRYPT_LOG2N_FLOOR)} in production (OWASP's scrypt floor N=2^17, r=8, p=1)`,
    );
    return SCRYPT_LOG2N_FLOOR;
  }
  return log2N;
}

function readLoginDelay(env: EnvReader): AppConfig['auth']['loginDelay'] {
  const delay = {
    freeFailures: env.int('LOGIN_FREE_FAILURES', 5, 1, 1000),
    baseSeconds: env.int('LOGIN_DELAY_BASE_SECONDS', 1, 1, DAY),
    maxSeconds: env.int('LOGIN_DELAY_MAX_SECONDS', 900, 1, DAY),
    memorySeconds: env.int('LOGIN_FAILURE_MEMORY_SECONDS', DAY, 60, 30 * DAY),
  };
  if (delay.maxSeconds < delay.baseSeconds) {
    env.fail('LOGIN_DELAY_MAX_SECONDS', 'must be at least LOGIN_DELAY_BASE_SECONDS');
  }
  return delay;
}

function readMongoUri(env: EnvReader): string {
  const uri = env.required('MONGODB_URI');
  if (uri !== '' && !/^mongodb(\+srv)?:\/\/[^/?#]+/.test(uri)) {
    env.fail('MONGODB_URI', 'must start with mongodb:// or mongodb+srv:// followed by a host');
  }
  return uri;
}

// The API's second listener: /metrics and the docs move off PORT, where an Ingress never sees them.
function readOpsPort(env: EnvReader, port: number): number | null {
  // 0: unset, or invalid (int() reported it).
  const opsPort = env.int('OPS_PORT', 0, 1, 65535);
  if (opsPort === 0) return null;
  if (opsPort === port) {
    env.fail('OPS_PORT', `must differ from PORT (${String(port)})`);
  }
  return opsPort;
}

const GIB = 1024 ** 3;
const TIB = 1024 * GIB;

// Static keys, both or neither: without them the AWS SDK's default chain finds credentials (IAM
// roles for EKS/ECS/EC2, AWS_* variables, shared files). No value is ever echoed.
function readS3Credentials(env: EnvReader): AppConfig['s3']['credentials'] {
  const accessKeyId = env.raw('S3_ACCESS_KEY_ID');
  const secretAccessKey = env.raw('S3_SECRET_ACCESS_KEY');
  const sessionToken = env.raw('S3_SESSION_TOKEN');
  const chain = "or neither, to use the AWS SDK's default credential chain";
  if (accessKeyId === undefined && secretAccessKey === undefined) {
    if (sessionToken !== undefined) {
      env.fail(
        'S3_SESSION_TOKEN',
        'needs S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, the temporary keys it belongs to',
        false,
      );
    }
    return null;
  }
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    const [missing, set] =
      accessKeyId === undefined
        ? ['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY']
        : ['S3_SECRET_ACCESS_KEY', 'S3_ACCESS_KEY_ID'];
    env.fail(missing, `is required when ${set} is set (set both, ${chain})`, false);
    return null;
  }
  return sessionToken === undefined
    ? { accessKeyId, secretAccessKey }
    : { accessKeyId, secretAccessKey, sessionToken };
}

function readSessionBounds(env: EnvReader): AppConfig['sessions'] {
  const minTtlSeconds = env.int('SESSION_MIN_TTL_SECONDS', 60, 1, DAY);
  const maxTtlSeconds = env.int('SESSION_MAX_TTL_SECONDS', 7 * DAY, 60, 365 * DAY);
  const defaultTtlSeconds = env.int('SESSION_DEFAULT_TTL_SECONDS', 3600, 1, 365 * DAY);
  if (minTtlSeconds > maxTtlSeconds) {
    env.fail('SESSION_MIN_TTL_SECONDS', 'must not exceed SESSION_MAX_TTL_SECONDS');
  }
  if (defaultTtlSeconds < minTtlSeconds || defaultTtlSeconds > maxTtlSeconds) {
    env.fail(
      'SESSION_DEFAULT_TTL_SECONDS',
      'must lie between SESSION_MIN_TTL_SECONDS and SESSION_MAX_TTL_SECONDS',
    );
  }
  return {
    defaultTtlSeconds,
    minTtlSeconds,
    maxTtlSeconds,
    maxDevices: env.int('SESSION_MAX_DEVICES', 10, 1, 100),
    maxFiles: env.int('SESSION_MAX_FILES', 100, 1, 10_000),
    maxTotalBytes: env.int('SESSION_MAX_TOTAL_BYTES', 10 * GIB, 1, 100 * TIB),
    maxFileBytes: env.int('SESSION_MAX_FILE_BYTES', 5 * GIB, 1, 5 * TIB),
    maxDownloadsPerFile: env.int('SESSION_MAX_DOWNLOADS_PER_FILE', 100, 1, 1_000_000),
  };
}

const MIB = 1024 ** 2;

function readFiles(env: EnvReader): AppConfig['files'] {
  return {
    maxFileBytes: env.int('MAX_FILE_BYTES', 5 * GIB, 1, 5 * TIB),
    // 8 MiB is the smallest part we plan; a single PUT may not exceed 5 GiB (S3's limit).
    multipartThresholdBytes: env.int('MULTIPART_THRESHOLD_BYTES', 64 * MIB, 8 * MIB, 5 * GIB),
    uploadUrlTtlSeconds: env.int('UPLOAD_URL_TTL_SECONDS', 600, 60, 3600),
    uploadWindowSeconds: env.int('UPLOAD_WINDOW_SECONDS', DAY, 1, 7 * DAY),
    downloadUrlTtlSeconds: env.int('DOWNLOAD_URL_TTL_SECONDS', 60, 10, 900),
    contentTypesAllowed: readContentTypes(env, 'CONTENT_TYPES_ALLOWED', [], false),
    contentTypesBlocked: readContentTypes(
      env,
      'CONTENT_TYPES_BLOCKED',
      DEFAULT_BLOCKED_CONTENT_TYPES,
      true,
    ),
    verifyLeaseSeconds: env.int('FILE_VERIFY_LEASE_SECONDS', 300, 30, DAY),
  };
}

// Fastify's connectionTimeout (createFastifyAdapter): a socket silent that long is closed, so a
// stream's heartbeat must come sooner.
const CONNECTION_TIMEOUT_SECONDS = 60;

function readLive(env: EnvReader): AppConfig['live'] {
  const heartbeat = env.raw('SSE_HEARTBEAT_SECONDS');
  let heartbeatSeconds = 15;
  if (
    heartbeat !== undefined &&
    /^\d+$/.test(heartbeat) &&
    Number(heartbeat) >= CONNECTION_TIMEOUT_SECONDS
  ) {
    env.fail(
      'SSE_HEARTBEAT_SECONDS',
      `must be below ${String(CONNECTION_TIMEOUT_SECONDS)} (the server's connectionTimeout closes a silent stream after ${String(CONNECTION_TIMEOUT_SECONDS)} s)`,
    );
  } else {
    heartbeatSeconds = env.int('SSE_HEARTBEAT_SECONDS', 15, 1, CONNECTION_TIMEOUT_SECONDS - 1);
  }
  return {
    pollIntervalMs: env.int('SSE_POLL_INTERVAL_MS', 250, 50, 5000),
    heartbeatSeconds,
    maxStreams: env.int('SSE_MAX_STREAMS', 1000, 1, 100_000),
    maxStreamsPerSession: env.int('SSE_MAX_STREAMS_PER_SESSION', 20, 1, 1000),
  };
}

const JOB_DEFAULT_INTERVALS: Record<JobName, number> = {
  'expire-sessions': 60,
  'purge-files': 60,
  'sweep-uploads': 60,
  'verify-uploads': 2,
  'reconcile-storage': 3600,
  'prune-records': 3600,
};

/** `purge-files` → JOB_PURGE_FILES_INTERVAL_SECONDS. */
export const jobIntervalVariable = (job: JobName): string =>
  `JOB_${job.toUpperCase().replaceAll('-', '_')}_INTERVAL_SECONDS`;

function readJobs(env: EnvReader): AppConfig['jobs'] {
  const cleanup = env.raw('CLEANUP_INTERVAL_SECONDS');
  const all = cleanup === undefined ? undefined : env.int('CLEANUP_INTERVAL_SECONDS', 60, 1, DAY);
  const intervals = {} as Record<JobName, number>;
  for (const job of JOB_NAMES) {
    intervals[job] = env.int(jobIntervalVariable(job), all ?? JOB_DEFAULT_INTERVALS[job], 1, DAY);
  }
  return {
    intervals,
    leaseTtlSeconds: env.int('LEASE_TTL_SECONDS', 60, 1, 3600),
    orphanGraceSeconds: env.int('ORPHAN_GRACE_SECONDS', 3600, 1, 30 * DAY),
    sessionRetentionSeconds: env.int('SESSION_RETENTION_SECONDS', 7 * DAY, 1, 365 * DAY),
    verifyConcurrency: env.int('VERIFY_CONCURRENCY', 2, 1, 32),
  };
}

/**
 * Builds the validated configuration from environment variables. Throws a `ConfigError` with one
 * line per problem; nothing else in the codebase reads `process.env`.
 *
 * Variables: NODE_ENV, PORT, OPS_PORT, DOCS_ENABLED, HOST, PUBLIC_URL, DATA_DIR, WORKER_PORT,
 * LOG_LEVEL, CORS_ORIGINS, TRUST_PROXY, MONGODB_URI*, S3_ENDPOINT*, S3_PUBLIC_ENDPOINT, S3_REGION, S3_BUCKET,
 * S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_SESSION_TOKEN, S3_FORCE_PATH_STYLE, S3_CONNECT_TIMEOUT_MS,
 * S3_REQUEST_TIMEOUT_MS, S3_MAX_ATTEMPTS, S3_BREAKER_FAILURES, S3_BREAKER_HALF_OPEN_MS, JWT_ISSUER, JWT_PRIVATE_KEY(_FILE), JWT_KEY_ID,
 * JWT_VERIFY_KEYS(_FILE), JWT_ACCESS_TTL_SECONDS, JWT_REFRESH_TTL_SECONDS, RATE_LIMIT_MAX,
 * PASSWORD_SCRYPT_LOG2N, PASSWORD_HASH_CONCURRENCY, PASSWORD_HASH_QUEUE, LOGIN_FREE_FAILURES,
 * LOGIN_DELAY_BASE_SECONDS, LOGIN_DELAY_MAX_SECONDS, LOGIN_FAILURE_MEMORY_SECONDS,
 * RATE_LIMIT_WINDOW_SECONDS, RATE_LIMIT_AUTH_MAX, RATE_LIMIT_AUTH_WINDOW_SECONDS, RATE_LIMIT_POLL_MAX,
 * SESSION_DEFAULT_TTL_SECONDS, SESSION_MIN_TTL_SECONDS, SESSION_MAX_TTL_SECONDS, SESSION_MAX_DEVICES,
 * SESSION_MAX_FILES, SESSION_MAX_TOTAL_BYTES, SESSION_MAX_FILE_BYTES, SESSION_MAX_DOWNLOADS_PER_FILE,
 * PAIRING_DEFAULT_TTL_SECONDS, PAIRING_POLL_INTERVAL_SECONDS, PAIRING_APPROVAL_TTL_SECONDS,
 * MAX_FILE_BYTES, MULTIPART_THRESHOLD_BYTES, UPLOAD_URL_TTL_SECONDS, UPLOAD_WINDOW_SECONDS,
 * DOWNLOAD_URL_TTL_SECONDS, CONTENT_TYPES_ALLOWED, CONTENT_TYPES_BLOCKED, FILE_VERIFY_LEASE_SECONDS,
 * QUOTA_DAILY_FILES, QUOTA_DAILY_BYTES, CLEANUP_INTERVAL_SECONDS, JOB_<NAME>_INTERVAL_SECONDS,
 * LEASE_TTL_SECONDS, ORPHAN_GRACE_SECONDS, SESSION_RETENTION_SECONDS, VERIFY_CONCURRENCY,
 * SSE_POLL_INTERVAL_MS, SSE_HEARTBEAT_SECONDS, SSE_MAX_STREAMS, SSE_MAX_STREAMS_PER_SESSION
 * (* required).
 */
export function loadConfig(envVars: Env): AppConfig {
  const env = new EnvReader(envVars);
  const port = env.int('PORT', 3000, 1, 65535);
  const publicUrl =
    env.httpUrl('PUBLIC_URL', env.raw('PUBLIC_URL')) ?? `http://localhost:${String(port)}`;
  const s3Endpoint = env.httpUrl('S3_ENDPOINT', env.required('S3_ENDPOINT') || undefined) ?? '';
  const keyId = env.raw('JWT_KEY_ID');
  if (keyId !== undefined && !/^[A-Za-z0-9._~-]{1,128}$/.test(keyId)) {
    env.fail('JWT_KEY_ID', 'must be 1-128 characters of [A-Za-z0-9._~-]');
  }
  const bucket = env.string('S3_BUCKET', 'sharexpress');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    env.fail('S3_BUCKET', 'must be a valid S3 bucket name (3-63 of a-z, 0-9, ".", "-")');
  }

  const nodeEnv = env.oneOf('NODE_ENV', NODE_ENVS, 'development');

  const config: AppConfig = {
    nodeEnv,
    port,
    opsPort: readOpsPort(env, port),
    docsEnabled: env.bool('DOCS_ENABLED', true),
    host: env.string('HOST', '0.0.0.0'),
    publicUrl,
    dataDir: env.string('DATA_DIR', './data'),
    workerPort: env.int('WORKER_PORT', 3001, 1, 65535),
    logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    corsOrigins: readCorsOrigins(env, publicUrl),
    trustProxy: readTrustProxy(env),
    mongo: { uri: readMongoUri(env) },
    s3: {
      endpoint: s3Endpoint,
      publicEndpoint:
        env.httpUrl('S3_PUBLIC_ENDPOINT', env.raw('S3_PUBLIC_ENDPOINT')) ?? s3Endpoint,
      region: env.string('S3_REGION', 'us-east-1'),
      bucket,
      credentials: readS3Credentials(env),
      forcePathStyle: env.bool('S3_FORCE_PATH_STYLE', true),
      connectTimeoutMs: env.int('S3_CONNECT_TIMEOUT_MS', 3000, 1, 600_000),
      requestTimeoutMs: env.int('S3_REQUEST_TIMEOUT_MS', 10_000, 1, 600_000),
      maxAttempts: env.int('S3_MAX_ATTEMPTS', 3, 1, 10),
      breakerFailures: env.int('S3_BREAKER_FAILURES', 5, 1, 1000),
      breakerHalfOpenMs: env.int('S3_BREAKER_HALF_OPEN_MS', 5000, 100, 600_000),
    },
    auth: {
      issuer: readIssuer(env) ?? publicUrl,
      privateKeyPem: readSigningKey(env),
      keyId,
      extraVerifyKeys: readVerifyKeys(env),
      accessTokenTtlSeconds: env.int('JWT_ACCESS_TTL_SECONDS', 900, 60, DAY),
      refreshTokenTtlSeconds: env.int('JWT_REFRESH_TTL_SECONDS', 30 * DAY, 300, 365 * DAY),
      passwordScryptLog2N: readScryptLog2N(env, nodeEnv),
      passwordHashConcurrency: env.int('PASSWORD_HASH_CONCURRENCY', 2, 1, 64),
      passwordHashQueue: env.int('PASSWORD_HASH_QUEUE', 4, 0, 10_000),
      loginDelay: readLoginDelay(env),
    },
    sessions: readSessionBounds(env),
    pairing: {
      defaultTtlSeconds: env.int('PAIRING_DEFAULT_TTL_SECONDS', 120, 30, 600),
      pollIntervalSeconds: env.int('PAIRING_POLL_INTERVAL_SECONDS', 5, 1, 60),
      approvalTtlSeconds: env.int('PAIRING_APPROVAL_TTL_SECONDS', 600, 60, DAY),
    },
    files: readFiles(env),
    quota: {
      dailyFiles: env.int('QUOTA_DAILY_FILES', 100, 1, 10_000_000),
      dailyBytes: env.int('QUOTA_DAILY_BYTES', 20 * GIB, 1, 1024 * TIB),
    },
    jobs: readJobs(env),
    live: readLive(env),
    rateLimit: {
      defaultLimit: env.int('RATE_LIMIT_MAX', 300, 1, 1_000_000),
      defaultWindowSeconds: env.int('RATE_LIMIT_WINDOW_SECONDS', 60, 1, DAY),
      credentialsLimit: env.int('RATE_LIMIT_AUTH_MAX', 10, 1, 1_000_000),
      credentialsWindowSeconds: env.int('RATE_LIMIT_AUTH_WINDOW_SECONDS', 60, 1, DAY),
      pollLimit: env.int('RATE_LIMIT_POLL_MAX', 30, 1, 1_000_000),
    },
  };
  if (env.problems.length > 0) throw new ConfigError(env.problems);
  return config;
}

/** `loadConfig(process.env)`: the one place that reads the process environment. */
export function loadConfigFromProcess(): AppConfig {
  return loadConfig(process.env);
}

/**
 * For the apps' entry points: the validated configuration, or one line per problem on stderr
 * and exit code 1, before any heavy module is loaded.
 */
export function loadConfigOrExit(): AppConfig {
  try {
    return loadConfigFromProcess();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
