// The auth services wired by hand on in-memory repositories, for service specs: no Nest module,
// no database, a cheap scrypt cost, and a real RS256 key (generated once per process) so the
// tokens they mint are the real thing.
import { Logger, type LoggerService } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { generateKeyPairSync } from 'node:crypto';
import { loadConfig, type AppConfig } from '@app/config';
import { AccountsService } from '../../../apps/api/src/modules/auth/accounts.service.js';
import { LoginAttemptsService } from '../../../apps/api/src/modules/auth/attempts/login-attempts.service.js';
import { KeyRing, jwkThumbprint } from '../../../apps/api/src/modules/auth/keys/key-ring.js';
import { LoginService } from '../../../apps/api/src/modules/auth/login.service.js';
import { HashingQueue } from '../../../apps/api/src/modules/auth/passwords/hashing-queue.js';
import {
  PasswordHasher,
  scryptParamsForLog2N,
} from '../../../apps/api/src/modules/auth/passwords/password-hasher.js';
import { TokenPairService } from '../../../apps/api/src/modules/auth/refresh/token-pair.service.js';
import { AccessTokenService } from '../../../apps/api/src/modules/auth/tokens/access-token.service.js';
import { InMemoryLoginAttemptRepository } from './in-memory-login-attempt.repository.js';
import { InMemoryRefreshTokenRepository } from './in-memory-refresh-token.repository.js';
import { InMemoryUserRepository } from './in-memory-user.repository.js';

export interface AuthServices {
  config: AppConfig;
  /** Warnings logged through Nest's Logger since these services were made. */
  warnings: string[];
  keys: KeyRing;
  jwt: JwtService;
  users: InMemoryUserRepository;
  tokens: InMemoryRefreshTokenRepository;
  loginAttempts: InMemoryLoginAttemptRepository;
  passwords: PasswordHasher;
  accessTokens: AccessTokenService;
  pairs: TokenPairService;
  accounts: AccountsService;
  /** Its `now` may be replaced to move the clock. */
  attempts: LoginAttemptsService;
  login: LoginService;
}

// Nest's Logger is process-wide: route it into the current services' list instead of stdout.
let warnings: string[] = [];
const recorder: LoggerService = {
  log: () => undefined,
  error: (message: unknown) => warnings.push(`error: ${String(message)}`),
  warn: (message: unknown) => warnings.push(String(message)),
};

let keyRing: KeyRing | undefined;
const sharedKeyRing = (): KeyRing => {
  if (keyRing === undefined) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keyRing = new KeyRing({ kid: jwkThumbprint(publicKey), privateKey, publicKey }, []);
  }
  return keyRing;
};

export interface AuthServicesOptions {
  /** Environment overrides, validated by loadConfig as in production. */
  env?: Record<string, string>;
  /** Replaces the hasher (e.g. a spy); default: the configured cost and queue bounds. */
  passwords?: PasswordHasher;
}

/** Fresh repositories and services; `login` has had its boot hook run. */
export async function authServices(options: AuthServicesOptions = {}): Promise<AuthServices> {
  const config = loadConfig({
    NODE_ENV: 'test',
    MONGODB_URI: 'mongodb://127.0.0.1:1/unused',
    S3_ENDPOINT: 'http://127.0.0.1:1',
    S3_ACCESS_KEY_ID: 'unused',
    S3_SECRET_ACCESS_KEY: 'unused',
    PUBLIC_URL: 'https://share.example.test',
    PASSWORD_SCRYPT_LOG2N: '10',
    ...options.env,
  });
  warnings = [];
  Logger.overrideLogger(recorder);
  const keys = sharedKeyRing();
  const jwt = new JwtService({});
  const users = new InMemoryUserRepository();
  const tokens = new InMemoryRefreshTokenRepository();
  const loginAttempts = new InMemoryLoginAttemptRepository();
  const passwords =
    options.passwords ??
    new PasswordHasher(
      scryptParamsForLog2N(config.auth.passwordScryptLog2N),
      new HashingQueue(config.auth.passwordHashConcurrency, config.auth.passwordHashQueue),
    );
  const attempts = new LoginAttemptsService(loginAttempts, config);
  const accessTokens = new AccessTokenService(jwt, keys, config);
  const pairs = new TokenPairService(tokens, accessTokens, config);
  const login = new LoginService(users, pairs, passwords, attempts);
  await login.onModuleInit();
  return {
    config,
    warnings,
    keys,
    jwt,
    users,
    tokens,
    loginAttempts,
    passwords,
    accessTokens,
    pairs,
    accounts: new AccountsService(users, passwords),
    attempts,
    login,
  };
}
