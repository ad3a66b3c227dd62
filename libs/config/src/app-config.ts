// The typed, validated configuration every other module receives (only libs/config reads
// process.env). Inject it with `@Inject(APP_CONFIG) config: AppConfig`.
export const APP_CONFIG = Symbol('APP_CONFIG');

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The worker's lifecycle jobs, as named in logs, metrics (`job` label), leases and health. */
export const JOB_NAMES = [
  'expire-sessions',
  'purge-files',
  'sweep-uploads',
  'verify-uploads',
  'reconcile-storage',
  'prune-records',
] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** S3 keys given in the configuration. Secrets: never log them. */
export interface S3StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Only with temporary keys, which stop working when the token expires (nothing renews them). */
  sessionToken?: string;
}

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  /** HTTP port of the API (PORT, default 3000). */
  port: number;
  /**
   * Port of the API's ops listener, which then alone serves /metrics and the docs (OPS_PORT);
   * null: they are served on PORT with the API.
   */
  opsPort: number | null;
  /** Swagger UI and the OpenAPI document at /docs, /docs-json, /docs-yaml (DOCS_ENABLED). */
  docsEnabled: boolean;
  /** Bind address of the API and worker HTTP servers (HOST, default 0.0.0.0). */
  host: string;
  /** Public base URL of the API, used in pairing links and the default CORS origin (PUBLIC_URL). */
  publicUrl: string;
  /** Where the embedded devstack and generated keys keep their data (DATA_DIR, default ./data). */
  dataDir: string;
  /** HTTP port of the worker's health and metrics server (WORKER_PORT, default 3001). */
  workerPort: number;
  logLevel: LogLevel;
  /** Allowed browser origins (CORS_ORIGINS, comma-separated; default PUBLIC_URL). */
  corsOrigins: string[];
  /** Trust X-Forwarded-For from these proxies (TRUST_PROXY: false | true | hop count | CIDR list). */
  trustProxy: boolean | number | string[];
  mongo: {
    uri: string;
  };
  s3: {
    /** Endpoint the API talks to (S3_ENDPOINT). */
    endpoint: string;
    /** Endpoint clients use in presigned URLs (S3_PUBLIC_ENDPOINT, default S3_ENDPOINT). */
    publicEndpoint: string;
    region: string;
    bucket: string;
    /**
     * Static keys (S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, with S3_SESSION_TOKEN for temporary
     * ones); null when none are set: the AWS SDK's default credential chain (IAM roles).
     */
    credentials: S3StaticCredentials | null;
    forcePathStyle: boolean;
    /** Per-attempt request timeout in ms (S3_REQUEST_TIMEOUT_MS). */
    requestTimeoutMs: number;
    /** TCP connect timeout in ms (S3_CONNECT_TIMEOUT_MS). */
    connectTimeoutMs: number;
    /** SDK attempts per call, including the first (S3_MAX_ATTEMPTS). */
    maxAttempts: number;
    /** Consecutive infrastructure failures that open the circuit breaker (S3_BREAKER_FAILURES). */
    breakerFailures: number;
    /** How long the open breaker waits before its trial call, in ms (S3_BREAKER_HALF_OPEN_MS). */
    breakerHalfOpenMs: number;
  };
  auth: {
    /** `iss` of every token we sign and accept (JWT_ISSUER, default PUBLIC_URL). */
    issuer: string;
    /** Active signing key: PEM (JWT_PRIVATE_KEY) or a file (JWT_PRIVATE_KEY_FILE). Unset → generated under DATA_DIR. */
    privateKeyPem?: string;
    /** kid of the active signing key (JWT_KEY_ID, default derived from the key). */
    keyId?: string;
    /** Extra verification-only public keys (JWT_VERIFY_KEYS_FILE / JWT_VERIFY_KEYS: JSON JWKS or PEMs). */
    extraVerifyKeys: { kid: string; publicKeyPem: string }[];
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    /**
     * scrypt cost of new password hashes as log2(N), with r=8, p=1 (PASSWORD_SCRYPT_LOG2N,
     * default 17; never below 17 in production).
     */
    passwordScryptLog2N: number;
    /** scrypt derivations running at once per process (PASSWORD_HASH_CONCURRENCY, default 2). */
    passwordHashConcurrency: number;
    /**
     * Callers waiting for a derivation slot per process (PASSWORD_HASH_QUEUE, default 4); beyond
     * that, credential routes answer 503 CREDENTIALS_BUSY at once.
     */
    passwordHashQueue: number;
    /** Per-account failed-login delays, shared by every replica (LOGIN_* variables). */
    loginDelay: {
      /** Failures allowed without any delay (LOGIN_FREE_FAILURES, default 5). */
      freeFailures: number;
      /** Delay after the first failure beyond them, doubling with each more (LOGIN_DELAY_BASE_SECONDS, default 1). */
      baseSeconds: number;
      /** Cap of that delay (LOGIN_DELAY_MAX_SECONDS, default 900). */
      maxSeconds: number;
      /** A count is forgotten this long after its delay ended (LOGIN_FAILURE_MEMORY_SECONDS, default 86400). */
      memorySeconds: number;
    };
  };
  /** Server-wide bounds of sessions (SESSION_* variables); a session's own limits stay within them. */
  sessions: {
    /** Lifetime of a session created without `ttlSeconds` (SESSION_DEFAULT_TTL_SECONDS, default 3600). */
    defaultTtlSeconds: number;
    /** Shortest `ttlSeconds` a client may ask for (SESSION_MIN_TTL_SECONDS, default 60). */
    minTtlSeconds: number;
    /** Longest `ttlSeconds`, also for extensions (SESSION_MAX_TTL_SECONDS, default 604800 = 7 days). */
    maxTtlSeconds: number;
    /** Maxima of the per-session limits; a session created without a limit gets the maximum. */
    maxDevices: number;
    maxFiles: number;
    maxTotalBytes: number;
    maxFileBytes: number;
    maxDownloadsPerFile: number;
  };
  pairing: {
    /** Lifetime of a pairing created without `ttlSeconds` (PAIRING_DEFAULT_TTL_SECONDS, default 120; 30..600). */
    defaultTtlSeconds: number;
    /** RFC 8628 polling interval handed to pending devices (PAIRING_POLL_INTERVAL_SECONDS, default 5). */
    pollIntervalSeconds: number;
    /** How long a pending device may wait for the owner's approval (PAIRING_APPROVAL_TTL_SECONDS, default 600). */
    approvalTtlSeconds: number;
  };
  /** Uploads and downloads of files (FILE_* and the upload/download variables). */
  files: {
    /** Largest file the server accepts, whatever a session allows (MAX_FILE_BYTES, default 5 GiB). */
    maxFileBytes: number;
    /** Files of at least this size upload as S3 multipart (MULTIPART_THRESHOLD_BYTES, default 64 MiB, 8 MiB..5 GiB). */
    multipartThresholdBytes: number;
    /** Lifetime of a presigned PUT or part URL, never past the upload window (UPLOAD_URL_TTL_SECONDS, default 600, 60..3600). */
    uploadUrlTtlSeconds: number;
    /** Time from declare until the upload must be complete (UPLOAD_WINDOW_SECONDS, default 86400, 1..604800); the worker sweeps what is still pending after it. */
    uploadWindowSeconds: number;
    /** Lifetime of a presigned download URL (DOWNLOAD_URL_TTL_SECONDS, default 60, 10..900). */
    downloadUrlTtlSeconds: number;
    /** Declarable content types, exact or `type/*` (CONTENT_TYPES_ALLOWED); empty = all not blocked. */
    contentTypesAllowed: string[];
    /** Refused content types, exact or `type/*`; wins over allowed (CONTENT_TYPES_BLOCKED, default native executables). */
    contentTypesBlocked: string[];
    /** How long one worker holds a verifying file before another may take it over (FILE_VERIFY_LEASE_SECONDS, default 300). */
    verifyLeaseSeconds: number;
  };
  /** Per-owner daily upload quotas, per UTC day (QUOTA_* variables). */
  quota: {
    /** Files an owner's sessions may declare per UTC day (QUOTA_DAILY_FILES, default 100). */
    dailyFiles: number;
    /** Bytes an owner's sessions may declare per UTC day (QUOTA_DAILY_BYTES, default 20 GiB). */
    dailyBytes: number;
  };
  /** The worker's lifecycle jobs (JOB_* and the cleanup variables). */
  jobs: {
    /**
     * Seconds between two runs of each job (JOB_<NAME>_INTERVAL_SECONDS, e.g.
     * JOB_PURGE_FILES_INTERVAL_SECONDS; 1..86400). CLEANUP_INTERVAL_SECONDS sets the default of
     * all at once; without it: verify-uploads 2, expire-sessions, purge-files and sweep-uploads
     * 60, reconcile-storage and prune-records 3600.
     */
    intervals: Record<JobName, number>;
    /** How long a job's lease lasts unless renewed; a dead holder's job is taken over after it (LEASE_TTL_SECONDS, default 60, 1..3600). */
    leaseTtlSeconds: number;
    /** Age after which an object no live record knows (or an unknown multipart upload) is deleted (ORPHAN_GRACE_SECONDS, default 3600, 1..2592000). */
    orphanGraceSeconds: number;
    /** How long an ended session (closed or expired), once its files are purged, stays listed with its events before it is pruned (SESSION_RETENTION_SECONDS, default 604800, 1..31536000). */
    sessionRetentionSeconds: number;
    /** Multipart uploads one worker reads back at once (VERIFY_CONCURRENCY, default 2, 1..32). */
    verifyConcurrency: number;
  };
  /** Live updates: GET /v1/sessions/:sessionId/events (SSE_* variables). */
  live: {
    /** Time between two tail queries of one API process while it has streams open (SSE_POLL_INTERVAL_MS, default 250, 50..5000). */
    pollIntervalMs: number;
    /** Time between two heartbeat comments on every open stream (SSE_HEARTBEAT_SECONDS, default 15, 1..59: below the 60 s connectionTimeout). */
    heartbeatSeconds: number;
    /** Streams one API process holds open at most (SSE_MAX_STREAMS, default 1000, 1..100000). */
    maxStreams: number;
    /** Streams of one session one API process holds open at most (SSE_MAX_STREAMS_PER_SESSION, default 20, 1..1000). */
    maxStreamsPerSession: number;
  };
  rateLimit: {
    /** Default requests per window per client for every route. */
    defaultLimit: number;
    defaultWindowSeconds: number;
    /** Stricter per-route limit on register, login, refresh and pairing claims (RATE_LIMIT_AUTH_MAX, default 10). */
    credentialsLimit?: number;
    /** Window of that limit (RATE_LIMIT_AUTH_WINDOW_SECONDS, default 60). */
    credentialsWindowSeconds?: number;
    /** Per-client limit of pairing polls in that window (RATE_LIMIT_POLL_MAX, default 30). */
    pollLimit?: number;
  };
}
