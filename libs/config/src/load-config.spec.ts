import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from './config-error.js';
import { JOB_NAMES } from './app-config.js';
import { jobIntervalVariable, loadConfig } from './load-config.js';

const REQUIRED = {
  MONGODB_URI: 'mongodb://user:hunter2@127.0.0.1:27017/sx',
  S3_ENDPOINT: 'http://127.0.0.1:9000',
  S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
  S3_SECRET_ACCESS_KEY: 'super-secret-value',
};

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ ...REQUIRED, ...env });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const TIB = 1024 * GIB;

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(REQUIRED);
    assert.equal(config.port, 3000);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.publicUrl, 'http://localhost:3000');
    assert.equal(config.dataDir, './data');
    assert.equal(config.workerPort, 3001);
    assert.equal(config.logLevel, 'info');
    assert.deepEqual(config.corsOrigins, ['http://localhost:3000']);
    assert.equal(config.trustProxy, false);
    assert.equal(config.s3.region, 'us-east-1');
    assert.equal(config.s3.bucket, 'sharexpress');
    assert.equal(config.s3.forcePathStyle, true);
    assert.equal(config.s3.publicEndpoint, 'http://127.0.0.1:9000');
    assert.deepEqual(
      [config.s3.connectTimeoutMs, config.s3.requestTimeoutMs, config.s3.maxAttempts],
      [3000, 10_000, 3],
    );
    assert.equal(config.auth.issuer, 'http://localhost:3000');
    assert.equal(config.auth.accessTokenTtlSeconds, 900);
    assert.equal(config.auth.refreshTokenTtlSeconds, 30 * 86_400);
    assert.equal(config.auth.passwordScryptLog2N, 17);
    assert.equal(config.auth.passwordHashConcurrency, 2);
    assert.equal(config.auth.passwordHashQueue, 4);
    assert.deepEqual(config.auth.loginDelay, {
      freeFailures: 5,
      baseSeconds: 1,
      maxSeconds: 900,
      memorySeconds: 86_400,
    });
    assert.equal(config.auth.privateKeyPem, undefined);
    assert.deepEqual(config.auth.extraVerifyKeys, []);
    assert.deepEqual(config.rateLimit, {
      defaultLimit: 300,
      defaultWindowSeconds: 60,
      credentialsLimit: 10,
      credentialsWindowSeconds: 60,
      pollLimit: 30,
    });
    assert.deepEqual(config.sessions, {
      defaultTtlSeconds: 3600,
      minTtlSeconds: 60,
      maxTtlSeconds: 7 * 86_400,
      maxDevices: 10,
      maxFiles: 100,
      maxTotalBytes: 10 * GIB,
      maxFileBytes: 5 * GIB,
      maxDownloadsPerFile: 100,
    });
    assert.deepEqual(config.pairing, {
      defaultTtlSeconds: 120,
      pollIntervalSeconds: 5,
      approvalTtlSeconds: 600,
    });
    assert.deepEqual(config.files, {
      maxFileBytes: 5 * GIB,
      multipartThresholdBytes: 64 * MIB,
      uploadUrlTtlSeconds: 600,
      uploadWindowSeconds: 86_400,
      downloadUrlTtlSeconds: 60,
      contentTypesAllowed: [],
      contentTypesBlocked: [
        'application/x-msdownload',
        'application/vnd.microsoft.portable-executable',
        'application/x-dosexec',
        'application/x-msdos-program',
        'application/x-executable',
        'application/x-elf',
        'application/x-mach-binary',
      ],
      verifyLeaseSeconds: 300,
    });
    assert.deepEqual(config.quota, { dailyFiles: 100, dailyBytes: 20 * GIB });
  });

  it('derives PUBLIC_URL from PORT and CORS origins from PUBLIC_URL', () => {
    assert.equal(loadConfig({ ...REQUIRED, PORT: '8080' }).publicUrl, 'http://localhost:8080');
    const config = loadConfig({ ...REQUIRED, PUBLIC_URL: 'https://share.example.com/api/' });
    assert.equal(config.publicUrl, 'https://share.example.com/api');
    assert.deepEqual(config.corsOrigins, ['https://share.example.com']);
  });

  it('takes JWT_ISSUER verbatim (a URL or a plain name)', () => {
    assert.equal(loadConfig({ ...REQUIRED, JWT_ISSUER: 'sharexpress' }).auth.issuer, 'sharexpress');
    assert.equal(
      loadConfig({ ...REQUIRED, JWT_ISSUER: 'https://id.example.com/' }).auth.issuer,
      'https://id.example.com/',
    );
    assert.equal(problemsOf({ JWT_ISSUER: 'two words' }).length, 1);
  });

  it('reports the bad PORT in one clear line', () => {
    assert.deepEqual(problemsOf({ PORT: 'abc' }), [
      'PORT: must be an integer between 1 and 65535, got "abc"',
    ]);
    assert.equal(problemsOf({ PORT: '70000' }).length, 1);
    assert.equal(problemsOf({ PORT: '3.5' }).length, 1);
  });

  describe('ops port and docs', () => {
    it('serves /metrics and the docs on PORT unless OPS_PORT is set; docs on by default', () => {
      const config = loadConfig(REQUIRED);
      assert.equal(config.opsPort, null);
      assert.equal(config.docsEnabled, true);
      // The deployments' shape, in production too: nothing else changes with it.
      const production = loadConfig({ ...REQUIRED, NODE_ENV: 'production', OPS_PORT: '9464' });
      assert.equal(production.opsPort, 9464);
      assert.equal(production.port, 3000);
      assert.equal(production.docsEnabled, true);
      assert.equal(loadConfig({ ...REQUIRED, OPS_PORT: ' ' }).opsPort, null);
    });

    it('turns the docs off with DOCS_ENABLED=false, with or without OPS_PORT', () => {
      assert.equal(loadConfig({ ...REQUIRED, DOCS_ENABLED: 'false' }).docsEnabled, false);
      const ops = loadConfig({ ...REQUIRED, OPS_PORT: '9464', DOCS_ENABLED: 'no' });
      assert.deepEqual([ops.opsPort, ops.docsEnabled], [9464, false]);
      assert.deepEqual(problemsOf({ DOCS_ENABLED: 'hidden' }), [
        'DOCS_ENABLED: must be true or false, got "hidden"',
      ]);
    });

    it('refuses an OPS_PORT that is not a port, or is PORT itself, naming OPS_PORT', () => {
      assert.deepEqual(problemsOf({ OPS_PORT: 'metrics' }), [
        'OPS_PORT: must be an integer between 1 and 65535, got "metrics"',
      ]);
      assert.deepEqual(problemsOf({ OPS_PORT: '0' }), [
        'OPS_PORT: must be an integer between 1 and 65535, got "0"',
      ]);
      assert.deepEqual(problemsOf({ OPS_PORT: '65536' }), [
        'OPS_PORT: must be an integer between 1 and 65535, got "65536"',
      ]);
      assert.deepEqual(problemsOf({ OPS_PORT: '3000' }), [
        'OPS_PORT: must differ from PORT (3000), got "3000"',
      ]);
      assert.deepEqual(problemsOf({ PORT: '8080', OPS_PORT: '8080' }), [
        'OPS_PORT: must differ from PORT (8080), got "8080"',
      ]);
    });
  });

  it('lists every problem at once, one line each', () => {
    const problems = problemsOf({
      MONGODB_URI: '',
      S3_ENDPOINT: 'ftp://x',
      LOG_LEVEL: 'loud',
      S3_FORCE_PATH_STYLE: 'maybe',
      CORS_ORIGINS: 'https://ok.example.com,not a url',
      TRUST_PROXY: '10.0.0.0/99',
    });
    assert.deepEqual(problems.map((p) => p.split(':')[0]).sort(), [
      'CORS_ORIGINS',
      'LOG_LEVEL',
      'MONGODB_URI',
      'S3_ENDPOINT',
      'S3_FORCE_PATH_STYLE',
      'TRUST_PROXY',
    ]);
    assert.ok(problems.includes('MONGODB_URI: is required'));
    assert.ok(
      problems.includes(
        'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      ),
    );
  });

  it('requires the connection settings', () => {
    const problems = problemsOf({ MONGODB_URI: '', S3_ENDPOINT: '' });
    assert.deepEqual(problems, ['S3_ENDPOINT: is required', 'MONGODB_URI: is required']);
  });

  describe('S3 credentials', () => {
    const { S3_ACCESS_KEY_ID: keyId, S3_SECRET_ACCESS_KEY: secret, ...withoutKeys } = REQUIRED;

    it('takes static keys, with a session token for temporary ones', () => {
      assert.deepEqual(loadConfig(REQUIRED).s3.credentials, {
        accessKeyId: keyId,
        secretAccessKey: secret,
      });
      assert.deepEqual(
        loadConfig({ ...REQUIRED, S3_SESSION_TOKEN: 'token-topsecret' }).s3.credentials,
        { accessKeyId: keyId, secretAccessKey: secret, sessionToken: 'token-topsecret' },
      );
    });

    it('leaves credentials to the AWS default chain when no key is set, in production too', () => {
      for (const blank of [{}, { S3_ACCESS_KEY_ID: ' ', S3_SECRET_ACCESS_KEY: '' }]) {
        const config = loadConfig({ ...withoutKeys, ...blank, NODE_ENV: 'production' });
        assert.equal(config.s3.credentials, null);
      }
    });

    // Problems of exactly `env` (problemsOf would add the keys back).
    const problemsOfOnly = (env: Record<string, string>): readonly string[] => {
      try {
        loadConfig(env);
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.problems;
      }
      assert.fail('expected a ConfigError');
    };
    const chain = "(set both, or neither, to use the AWS SDK's default credential chain)";

    it('refuses one key without the other, naming both and echoing neither', () => {
      const onlyId = problemsOfOnly({ ...withoutKeys, S3_ACCESS_KEY_ID: 'AKIA-topsecret' });
      assert.deepEqual(onlyId, [
        `S3_SECRET_ACCESS_KEY: is required when S3_ACCESS_KEY_ID is set ${chain}`,
      ]);
      const onlySecret = problemsOfOnly({ ...withoutKeys, S3_SECRET_ACCESS_KEY: 'topsecret' });
      assert.deepEqual(onlySecret, [
        `S3_ACCESS_KEY_ID: is required when S3_SECRET_ACCESS_KEY is set ${chain}`,
      ]);
      // Even with a temporary key's token alongside: the pair is the problem.
      const withToken = problemsOfOnly({
        ...withoutKeys,
        S3_ACCESS_KEY_ID: 'ASIA-topsecret',
        S3_SESSION_TOKEN: 'token-topsecret',
      });
      assert.deepEqual(withToken, onlyId);
      assert.doesNotMatch([...onlyId, ...onlySecret].join('\n'), /topsecret/);
    });

    it('refuses a session token without the keys it belongs to, without echoing it', () => {
      const problems = problemsOfOnly({ ...withoutKeys, S3_SESSION_TOKEN: 'token-topsecret' });
      assert.deepEqual(problems, [
        'S3_SESSION_TOKEN: needs S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, the temporary keys it belongs to',
      ]);
    });
  });

  it('never echoes secrets in problem lines', () => {
    const problems = problemsOf({
      MONGODB_URI: 'postgres://user:hunter2@db',
      JWT_PRIVATE_KEY: 'not-a-key-topsecret',
      JWT_VERIFY_KEYS: '{"oops-topsecret"',
    });
    assert.equal(problems.length, 3);
    assert.deepEqual(problemsOf({ S3_ENDPOINT: 'http://admin:topsecret@s3.local' }), [
      'S3_ENDPOINT: must not contain credentials',
    ]);
    const text = problems.join('\n');
    assert.doesNotMatch(text, /hunter2|topsecret/);
    const err = new ConfigError(problems);
    assert.doesNotMatch(err.message, /hunter2|topsecret/);
  });

  it('parses TRUST_PROXY forms', () => {
    assert.equal(loadConfig({ ...REQUIRED, TRUST_PROXY: 'true' }).trustProxy, true);
    assert.equal(loadConfig({ ...REQUIRED, TRUST_PROXY: '2' }).trustProxy, 2);
    assert.deepEqual(loadConfig({ ...REQUIRED, TRUST_PROXY: '10.0.0.0/8, ::1' }).trustProxy, [
      '10.0.0.0/8',
      '::1',
    ]);
    assert.equal(problemsOf({ TRUST_PROXY: 'everyone' }).length, 1);
  });

  it('accepts a PEM signing key inline (escaped newlines) or from a file, never both', () => {
    const { privateKey } = rsa();
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const inline = loadConfig({ ...REQUIRED, JWT_PRIVATE_KEY: pem.replace(/\n/g, '\\n') });
    assert.equal(inline.auth.privateKeyPem, pem);

    const file = join(mkdtempSync(join(tmpdir(), 'sx-config-')), 'key.pem');
    writeFileSync(file, pem);
    assert.equal(loadConfig({ ...REQUIRED, JWT_PRIVATE_KEY_FILE: file }).auth.privateKeyPem, pem);

    assert.deepEqual(problemsOf({ JWT_PRIVATE_KEY: pem, JWT_PRIVATE_KEY_FILE: file }), [
      'JWT_PRIVATE_KEY: set either JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE, not both',
    ]);
    const missing = problemsOf({ JWT_PRIVATE_KEY_FILE: `${file}.missing` });
    assert.equal(missing.length, 1);
    assert.match(
      missing[0] ?? '',
      /^JWT_PRIVATE_KEY_FILE: cannot read the file \(ENOENT\), got ".*missing"$/,
    );
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    assert.deepEqual(
      problemsOf({ JWT_PRIVATE_KEY: ec.export({ type: 'pkcs8', format: 'pem' }).toString() }),
      ['JWT_PRIVATE_KEY: must be an RSA key'],
    );
  });

  it('accepts extra verify keys as a PEM list or a JWKS', () => {
    const { publicKey } = rsa();
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const list = loadConfig({
      ...REQUIRED,
      JWT_VERIFY_KEYS: JSON.stringify([{ kid: 'old-1', publicKeyPem: pem }]),
    });
    assert.deepEqual(list.auth.extraVerifyKeys, [{ kid: 'old-1', publicKeyPem: pem }]);

    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'old-2', alg: 'RS256', use: 'sig' };
    const jwks = loadConfig({ ...REQUIRED, JWT_VERIFY_KEYS: JSON.stringify({ keys: [jwk] }) });
    assert.deepEqual(jwks.auth.extraVerifyKeys, [{ kid: 'old-2', publicKeyPem: pem }]);

    assert.deepEqual(problemsOf({ JWT_VERIFY_KEYS: '[{"publicKeyPem":"x"}]' }), [
      'JWT_VERIFY_KEYS: each key needs a kid ([A-Za-z0-9._~-])',
    ]);
    assert.deepEqual(problemsOf({ JWT_VERIFY_KEYS: '[{"kid":"k","publicKeyPem":"x"}]' }), [
      'JWT_VERIFY_KEYS: key k is not a valid public key',
    ]);
  });

  it('bounds TTLs, timeouts and rate limits', () => {
    assert.equal(problemsOf({ JWT_ACCESS_TTL_SECONDS: '0' }).length, 1);
    assert.equal(problemsOf({ S3_MAX_ATTEMPTS: '50' }).length, 1);
    assert.equal(problemsOf({ S3_BREAKER_FAILURES: '0' }).length, 1);
    assert.equal(problemsOf({ S3_BREAKER_HALF_OPEN_MS: '50' }).length, 1);
    const breaker = loadConfig({
      ...REQUIRED,
      S3_BREAKER_FAILURES: '2',
      S3_BREAKER_HALF_OPEN_MS: '750',
    });
    assert.deepEqual([breaker.s3.breakerFailures, breaker.s3.breakerHalfOpenMs], [2, 750]);
    assert.deepEqual(
      [loadConfig(REQUIRED).s3.breakerFailures, loadConfig(REQUIRED).s3.breakerHalfOpenMs],
      [5, 5000],
    );
    assert.equal(problemsOf({ RATE_LIMIT_MAX: '-1' }).length, 1);
    const config = loadConfig({ ...REQUIRED, RATE_LIMIT_MAX: '10', S3_REQUEST_TIMEOUT_MS: '500' });
    assert.equal(config.rateLimit.defaultLimit, 10);
    assert.equal(config.s3.requestTimeoutMs, 500);
  });

  it("keeps the scrypt cost at OWASP's floor in production, cheaper elsewhere only on request", () => {
    const cost = (env: Record<string, string>) =>
      loadConfig({ ...REQUIRED, ...env }).auth.passwordScryptLog2N;
    assert.equal(cost({ NODE_ENV: 'production' }), 17);
    assert.equal(cost({ NODE_ENV: 'production', PASSWORD_SCRYPT_LOG2N: '18' }), 18);
    assert.equal(cost({ NODE_ENV: 'test', PASSWORD_SCRYPT_LOG2N: '12' }), 12);
    assert.equal(cost({ PASSWORD_SCRYPT_LOG2N: '10' }), 10);
    assert.deepEqual(problemsOf({ NODE_ENV: 'production', PASSWORD_SCRYPT_LOG2N: '16' }), [
      'PASSWORD_SCRYPT_LOG2N: must be at least 17 in production (OWASP\'s scrypt floor N=2^17, r=8, p=1), got "16"',
    ]);
    // Bounds in every environment: too cheap to mean anything, or more than a stored hash may ask.
    for (const value of ['9', '21', '2^17', '131072']) {
      assert.deepEqual(problemsOf({ NODE_ENV: 'test', PASSWORD_SCRYPT_LOG2N: value }), [
        `PASSWORD_SCRYPT_LOG2N: must be an integer between 10 and 20, got "${value}"`,
      ]);
    }
  });

  it('reads the password-hashing bound and the per-account login delays', () => {
    const config = loadConfig({
      ...REQUIRED,
      PASSWORD_HASH_CONCURRENCY: '4',
      PASSWORD_HASH_QUEUE: '0',
      LOGIN_FREE_FAILURES: '3',
      LOGIN_DELAY_BASE_SECONDS: '2',
      LOGIN_DELAY_MAX_SECONDS: '60',
      LOGIN_FAILURE_MEMORY_SECONDS: '3600',
    });
    assert.equal(config.auth.passwordHashConcurrency, 4);
    assert.equal(config.auth.passwordHashQueue, 0);
    assert.deepEqual(config.auth.loginDelay, {
      freeFailures: 3,
      baseSeconds: 2,
      maxSeconds: 60,
      memorySeconds: 3600,
    });
    assert.deepEqual(problemsOf({ PASSWORD_HASH_CONCURRENCY: '0' }), [
      'PASSWORD_HASH_CONCURRENCY: must be an integer between 1 and 64, got "0"',
    ]);
    assert.deepEqual(problemsOf({ PASSWORD_HASH_QUEUE: '-1' }), [
      'PASSWORD_HASH_QUEUE: must be an integer between 0 and 10000, got "-1"',
    ]);
    assert.deepEqual(problemsOf({ LOGIN_FREE_FAILURES: '0' }), [
      'LOGIN_FREE_FAILURES: must be an integer between 1 and 1000, got "0"',
    ]);
    assert.deepEqual(problemsOf({ LOGIN_DELAY_BASE_SECONDS: '10', LOGIN_DELAY_MAX_SECONDS: '5' }), [
      'LOGIN_DELAY_MAX_SECONDS: must be at least LOGIN_DELAY_BASE_SECONDS, got "5"',
    ]);
    // Forgetting sooner than a minute would let a guesser wait the count away.
    assert.equal(problemsOf({ LOGIN_FAILURE_MEMORY_SECONDS: '59' }).length, 1);
  });

  it('reads the session bounds, pairing timings and the poll limit', () => {
    const config = loadConfig({
      ...REQUIRED,
      SESSION_DEFAULT_TTL_SECONDS: '20',
      SESSION_MIN_TTL_SECONDS: '2',
      SESSION_MAX_TTL_SECONDS: '86400',
      SESSION_MAX_DEVICES: '3',
      SESSION_MAX_FILES: '7',
      SESSION_MAX_TOTAL_BYTES: '1000000',
      SESSION_MAX_FILE_BYTES: '250000',
      SESSION_MAX_DOWNLOADS_PER_FILE: '2',
      PAIRING_DEFAULT_TTL_SECONDS: '30',
      PAIRING_POLL_INTERVAL_SECONDS: '1',
      PAIRING_APPROVAL_TTL_SECONDS: '60',
      RATE_LIMIT_POLL_MAX: '100',
    });
    // Short sessions for tests and demos: SESSION_MIN_TTL_SECONDS goes down to 1 s.
    assert.deepEqual(config.sessions, {
      defaultTtlSeconds: 20,
      minTtlSeconds: 2,
      maxTtlSeconds: 86_400,
      maxDevices: 3,
      maxFiles: 7,
      maxTotalBytes: 1_000_000,
      maxFileBytes: 250_000,
      maxDownloadsPerFile: 2,
    });
    assert.deepEqual(config.pairing, {
      defaultTtlSeconds: 30,
      pollIntervalSeconds: 1,
      approvalTtlSeconds: 60,
    });
    assert.equal(config.rateLimit.pollLimit, 100);
    // The extremes are accepted.
    const wide = loadConfig({
      ...REQUIRED,
      SESSION_MIN_TTL_SECONDS: '1',
      SESSION_DEFAULT_TTL_SECONDS: '1',
      SESSION_MAX_TTL_SECONDS: String(365 * 86_400),
      SESSION_MAX_DEVICES: '100',
      SESSION_MAX_TOTAL_BYTES: String(100 * TIB),
      SESSION_MAX_FILE_BYTES: String(5 * TIB),
      PAIRING_DEFAULT_TTL_SECONDS: '600',
    });
    assert.deepEqual(
      [wide.sessions.minTtlSeconds, wide.sessions.maxTtlSeconds, wide.pairing.defaultTtlSeconds],
      [1, 365 * 86_400, 600],
    );
  });

  it('bounds every session, pairing and poll setting, one line per bad value', () => {
    const outOfRange: [string, string, string][] = [
      ['SESSION_MIN_TTL_SECONDS', '0', '1 and 86400'],
      ['SESSION_MIN_TTL_SECONDS', '86401', '1 and 86400'],
      ['SESSION_MAX_TTL_SECONDS', '59', `60 and ${String(365 * 86_400)}`],
      ['SESSION_MAX_TTL_SECONDS', String(365 * 86_400 + 1), `60 and ${String(365 * 86_400)}`],
      ['SESSION_DEFAULT_TTL_SECONDS', '0', `1 and ${String(365 * 86_400)}`],
      ['SESSION_MAX_DEVICES', '0', '1 and 100'],
      ['SESSION_MAX_DEVICES', '101', '1 and 100'],
      ['SESSION_MAX_FILES', '0', '1 and 10000'],
      ['SESSION_MAX_FILES', '10001', '1 and 10000'],
      ['SESSION_MAX_TOTAL_BYTES', '0', `1 and ${String(100 * TIB)}`],
      ['SESSION_MAX_TOTAL_BYTES', String(100 * TIB + 1), `1 and ${String(100 * TIB)}`],
      ['SESSION_MAX_FILE_BYTES', '0', `1 and ${String(5 * TIB)}`],
      ['SESSION_MAX_FILE_BYTES', String(5 * TIB + 1), `1 and ${String(5 * TIB)}`],
      ['SESSION_MAX_DOWNLOADS_PER_FILE', '0', '1 and 1000000'],
      ['SESSION_MAX_DOWNLOADS_PER_FILE', '1000001', '1 and 1000000'],
      ['PAIRING_DEFAULT_TTL_SECONDS', '29', '30 and 600'],
      ['PAIRING_DEFAULT_TTL_SECONDS', '601', '30 and 600'],
      ['PAIRING_POLL_INTERVAL_SECONDS', '0', '1 and 60'],
      ['PAIRING_POLL_INTERVAL_SECONDS', '61', '1 and 60'],
      ['PAIRING_APPROVAL_TTL_SECONDS', '59', '60 and 86400'],
      ['PAIRING_APPROVAL_TTL_SECONDS', '86401', '60 and 86400'],
      ['RATE_LIMIT_POLL_MAX', '0', '1 and 1000000'],
      ['RATE_LIMIT_POLL_MAX', '1000001', '1 and 1000000'],
    ];
    for (const [name, value, range] of outOfRange) {
      assert.deepEqual(
        problemsOf({ [name]: value }),
        [`${name}: must be an integer between ${range}, got "${value}"`],
        `${name}=${value}`,
      );
    }
    for (const value of ['ten', '1.5', '1e3', '-1']) {
      assert.equal(problemsOf({ SESSION_MAX_DEVICES: value }).length, 1, value);
    }
  });

  it('refuses a session minimum above the maximum, and a default outside min..max', () => {
    assert.deepEqual(
      problemsOf({
        SESSION_MIN_TTL_SECONDS: '7200',
        SESSION_MAX_TTL_SECONDS: '3600',
        SESSION_DEFAULT_TTL_SECONDS: '3600',
      }),
      [
        'SESSION_MIN_TTL_SECONDS: must not exceed SESSION_MAX_TTL_SECONDS, got "7200"',
        'SESSION_DEFAULT_TTL_SECONDS: must lie between SESSION_MIN_TTL_SECONDS and SESSION_MAX_TTL_SECONDS, got "3600"',
      ],
    );
    // Below the (default) minimum of 60 s, and above the (default) maximum of 7 days.
    assert.deepEqual(problemsOf({ SESSION_DEFAULT_TTL_SECONDS: '30' }), [
      'SESSION_DEFAULT_TTL_SECONDS: must lie between SESSION_MIN_TTL_SECONDS and SESSION_MAX_TTL_SECONDS, got "30"',
    ]);
    assert.deepEqual(problemsOf({ SESSION_DEFAULT_TTL_SECONDS: String(7 * 86_400 + 1) }), [
      `SESSION_DEFAULT_TTL_SECONDS: must lie between SESSION_MIN_TTL_SECONDS and SESSION_MAX_TTL_SECONDS, got "${String(7 * 86_400 + 1)}"`,
    ]);
    // A maximum below the default default (3600) needs a matching default.
    assert.equal(problemsOf({ SESSION_MAX_TTL_SECONDS: '600' }).length, 1);
    assert.equal(
      loadConfig({
        ...REQUIRED,
        SESSION_MAX_TTL_SECONDS: '600',
        SESSION_DEFAULT_TTL_SECONDS: '600',
      }).sessions.maxTtlSeconds,
      600,
    );
    // Equal bounds are fine: every session lives exactly that long.
    assert.equal(
      loadConfig({
        ...REQUIRED,
        SESSION_MIN_TTL_SECONDS: '300',
        SESSION_MAX_TTL_SECONDS: '300',
        SESSION_DEFAULT_TTL_SECONDS: '300',
      }).sessions.defaultTtlSeconds,
      300,
    );
  });

  it('reads the file and quota settings', () => {
    const config = loadConfig({
      ...REQUIRED,
      MAX_FILE_BYTES: String(TIB),
      MULTIPART_THRESHOLD_BYTES: String(8 * MIB),
      UPLOAD_URL_TTL_SECONDS: '300',
      UPLOAD_WINDOW_SECONDS: '3600',
      DOWNLOAD_URL_TTL_SECONDS: '30',
      CONTENT_TYPES_ALLOWED: 'image/*, Application/PDF,image/*',
      CONTENT_TYPES_BLOCKED: 'image/svg+xml,text/*',
      FILE_VERIFY_LEASE_SECONDS: '120',
      QUOTA_DAILY_FILES: '10',
      QUOTA_DAILY_BYTES: String(GIB),
    });
    assert.deepEqual(config.files, {
      maxFileBytes: TIB,
      multipartThresholdBytes: 8 * MIB,
      uploadUrlTtlSeconds: 300,
      uploadWindowSeconds: 3600,
      downloadUrlTtlSeconds: 30,
      contentTypesAllowed: ['image/*', 'application/pdf'],
      contentTypesBlocked: ['image/svg+xml', 'text/*'],
      verifyLeaseSeconds: 120,
    });
    assert.deepEqual(config.quota, { dailyFiles: 10, dailyBytes: GIB });
  });

  it('blocks nothing with CONTENT_TYPES_BLOCKED=none; blank means the default', () => {
    assert.deepEqual(
      loadConfig({ ...REQUIRED, CONTENT_TYPES_BLOCKED: 'none' }).files.contentTypesBlocked,
      [],
    );
    assert.deepEqual(
      loadConfig({ ...REQUIRED, CONTENT_TYPES_BLOCKED: ' NONE ' }).files.contentTypesBlocked,
      [],
    );
    assert.equal(
      loadConfig({ ...REQUIRED, CONTENT_TYPES_BLOCKED: ' ' }).files.contentTypesBlocked.length,
      7,
    );
    assert.deepEqual(
      loadConfig({ ...REQUIRED, CONTENT_TYPES_ALLOWED: '' }).files.contentTypesAllowed,
      [],
    );
    // "none" is no content type: an allow list of nothing would refuse every upload.
    assert.equal(problemsOf({ CONTENT_TYPES_ALLOWED: 'none' }).length, 1);
  });

  it('refuses content-type entries that are not type/subtype or type/*, naming the entry', () => {
    assert.deepEqual(problemsOf({ CONTENT_TYPES_ALLOWED: 'image/*,text/plain; charset=utf-8' }), [
      'CONTENT_TYPES_ALLOWED: must be a comma-separated list of type/subtype or type/* like image/*,application/pdf ("text/plain; charset=utf-8" is neither), got "image/*,text/plain; charset=utf-8"',
    ]);
    assert.deepEqual(problemsOf({ CONTENT_TYPES_BLOCKED: 'exe' }), [
      'CONTENT_TYPES_BLOCKED: must be a comma-separated list of type/subtype or type/* like image/*,application/pdf, or none ("exe" is neither), got "exe"',
    ]);
    for (const value of [
      '*/*',
      '*',
      'image/',
      '/png',
      'image/png,',
      'image/png,,text/plain',
      'image/p ng',
      'image/png/x',
      'ïmage/png',
      '"image/png"',
    ]) {
      assert.equal(problemsOf({ CONTENT_TYPES_ALLOWED: value }).length, 1, value);
      assert.equal(problemsOf({ CONTENT_TYPES_BLOCKED: value }).length, 1, value);
    }
  });

  it('bounds every file and quota setting, one line per bad value', () => {
    const outOfRange: [string, string, string][] = [
      ['MAX_FILE_BYTES', '0', `1 and ${String(5 * TIB)}`],
      ['MAX_FILE_BYTES', String(5 * TIB + 1), `1 and ${String(5 * TIB)}`],
      [
        'MULTIPART_THRESHOLD_BYTES',
        String(8 * MIB - 1),
        `${String(8 * MIB)} and ${String(5 * GIB)}`,
      ],
      [
        'MULTIPART_THRESHOLD_BYTES',
        String(5 * GIB + 1),
        `${String(8 * MIB)} and ${String(5 * GIB)}`,
      ],
      ['UPLOAD_URL_TTL_SECONDS', '59', '60 and 3600'],
      ['UPLOAD_URL_TTL_SECONDS', '3601', '60 and 3600'],
      ['UPLOAD_WINDOW_SECONDS', '0', '1 and 604800'],
      ['UPLOAD_WINDOW_SECONDS', '604801', '1 and 604800'],
      ['DOWNLOAD_URL_TTL_SECONDS', '9', '10 and 900'],
      ['DOWNLOAD_URL_TTL_SECONDS', '901', '10 and 900'],
      ['FILE_VERIFY_LEASE_SECONDS', '29', '30 and 86400'],
      ['FILE_VERIFY_LEASE_SECONDS', '86401', '30 and 86400'],
      ['QUOTA_DAILY_FILES', '0', '1 and 10000000'],
      ['QUOTA_DAILY_FILES', '10000001', '1 and 10000000'],
      ['QUOTA_DAILY_BYTES', '0', `1 and ${String(1024 * TIB)}`],
      ['QUOTA_DAILY_BYTES', String(1024 * TIB + 1), `1 and ${String(1024 * TIB)}`],
    ];
    for (const [name, value, range] of outOfRange) {
      assert.deepEqual(
        problemsOf({ [name]: value }),
        [`${name}: must be an integer between ${range}, got "${value}"`],
        `${name}=${value}`,
      );
    }
    for (const value of ['64MiB', '1.5', '1e9', '-1']) {
      assert.equal(problemsOf({ MULTIPART_THRESHOLD_BYTES: value }).length, 1, value);
    }
    // The extremes are accepted.
    const wide = loadConfig({
      ...REQUIRED,
      MAX_FILE_BYTES: String(5 * TIB),
      MULTIPART_THRESHOLD_BYTES: String(5 * GIB),
      UPLOAD_URL_TTL_SECONDS: '3600',
      UPLOAD_WINDOW_SECONDS: String(7 * 86_400),
      DOWNLOAD_URL_TTL_SECONDS: '10',
      QUOTA_DAILY_BYTES: String(1024 * TIB),
    });
    assert.deepEqual(
      [wide.files.maxFileBytes, wide.files.multipartThresholdBytes, wide.quota.dailyBytes],
      [5 * TIB, 5 * GIB, 1024 * TIB],
    );
  });

  it('gives each worker job its own default interval, and the lease, grace and retention defaults', () => {
    const { jobs } = loadConfig(REQUIRED);
    assert.deepEqual(jobs.intervals, {
      'expire-sessions': 60,
      'purge-files': 60,
      'sweep-uploads': 60,
      'verify-uploads': 2,
      'reconcile-storage': 3600,
      'prune-records': 3600,
    });
    assert.deepEqual(
      [jobs.leaseTtlSeconds, jobs.orphanGraceSeconds, jobs.sessionRetentionSeconds],
      [60, 3600, 7 * 86_400],
    );
    assert.equal(jobs.verifyConcurrency, 2);
  });

  it('sets every job interval with CLEANUP_INTERVAL_SECONDS, a job of its own still winning', () => {
    const { jobs } = loadConfig({
      ...REQUIRED,
      CLEANUP_INTERVAL_SECONDS: '1',
      JOB_RECONCILE_STORAGE_INTERVAL_SECONDS: '5',
    });
    for (const job of JOB_NAMES) {
      assert.equal(jobs.intervals[job], job === 'reconcile-storage' ? 5 : 1, job);
    }
    assert.equal(jobIntervalVariable('purge-files'), 'JOB_PURGE_FILES_INTERVAL_SECONDS');
  });

  it('lets tests run the jobs fast: one second is the floor of the intervals, lease, grace and window', () => {
    const config = loadConfig({
      ...REQUIRED,
      CLEANUP_INTERVAL_SECONDS: '1',
      LEASE_TTL_SECONDS: '1',
      ORPHAN_GRACE_SECONDS: '1',
      SESSION_RETENTION_SECONDS: '1',
      UPLOAD_WINDOW_SECONDS: '1',
    });
    assert.equal(config.jobs.leaseTtlSeconds, 1);
    assert.equal(config.jobs.orphanGraceSeconds, 1);
    assert.equal(config.files.uploadWindowSeconds, 1);
    const outOfRange: [string, string, string][] = [
      ['CLEANUP_INTERVAL_SECONDS', '0', '1 and 86400'],
      ['JOB_PURGE_FILES_INTERVAL_SECONDS', '86401', '1 and 86400'],
      ['LEASE_TTL_SECONDS', '0', '1 and 3600'],
      ['LEASE_TTL_SECONDS', '3601', '1 and 3600'],
      ['ORPHAN_GRACE_SECONDS', '0', `1 and ${String(30 * 86_400)}`],
      ['SESSION_RETENTION_SECONDS', '0', `1 and ${String(365 * 86_400)}`],
      ['VERIFY_CONCURRENCY', '0', '1 and 32'],
      ['VERIFY_CONCURRENCY', '33', '1 and 32'],
    ];
    for (const [name, value, range] of outOfRange) {
      assert.deepEqual(
        problemsOf({ [name]: value }),
        [`${name}: must be an integer between ${range}, got "${value}"`],
        `${name}=${value}`,
      );
    }
  });

  describe('live updates (SSE)', () => {
    it('applies the documented defaults and takes values within their bounds', () => {
      assert.deepEqual(loadConfig(REQUIRED).live, {
        pollIntervalMs: 250,
        heartbeatSeconds: 15,
        maxStreams: 1000,
        maxStreamsPerSession: 20,
      });
      const live = loadConfig({
        ...REQUIRED,
        SSE_POLL_INTERVAL_MS: '50',
        SSE_HEARTBEAT_SECONDS: '59',
        SSE_MAX_STREAMS: '3',
        SSE_MAX_STREAMS_PER_SESSION: '2',
      }).live;
      assert.deepEqual(live, {
        pollIntervalMs: 50,
        heartbeatSeconds: 59,
        maxStreams: 3,
        maxStreamsPerSession: 2,
      });
    });

    it('refuses a heartbeat the 60 s connectionTimeout would cut, naming why', () => {
      for (const value of ['60', '61', '3600']) {
        const problems = problemsOf({ SSE_HEARTBEAT_SECONDS: value });
        assert.equal(problems.length, 1, value);
        assert.match(
          problems[0] ?? '',
          /^SSE_HEARTBEAT_SECONDS: must be below 60 .*connectionTimeout/,
        );
      }
    });

    it('bounds every SSE setting, one line per bad value', () => {
      const outOfRange: [string, string, string][] = [
        ['SSE_POLL_INTERVAL_MS', '49', '50 and 5000'],
        ['SSE_POLL_INTERVAL_MS', '5001', '50 and 5000'],
        ['SSE_HEARTBEAT_SECONDS', '0', '1 and 59'],
        ['SSE_HEARTBEAT_SECONDS', '1.5', '1 and 59'],
        ['SSE_MAX_STREAMS', '0', '1 and 100000'],
        ['SSE_MAX_STREAMS_PER_SESSION', '0', '1 and 1000'],
        ['SSE_MAX_STREAMS_PER_SESSION', '1001', '1 and 1000'],
      ];
      for (const [name, value, range] of outOfRange) {
        assert.deepEqual(
          problemsOf({ [name]: value }),
          [`${name}: must be an integer between ${range}, got "${value}"`],
          `${name}=${value}`,
        );
      }
    });
  });
});
