import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { HashingQueue, type HashingPlace } from './hashing-queue.js';

// OWASP's scrypt floor: N=2^17, r=8, p=1. Cost parameters travel inside every stored hash,
// so raising them later only affects new hashes; old ones still verify.
export interface ScryptParams {
  n: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { n: 2 ** 17, r: 8, p: 1 };
const KEY_LENGTH = 64;
const SALT_LENGTH = 16;
const PREFIX = 'scrypt';

/** The cost PASSWORD_SCRYPT_LOG2N asks for (r and p stay at OWASP's 8 and 1). */
export const scryptParamsForLog2N = (log2N: number): ScryptParams => ({
  n: 2 ** log2N,
  r: 8,
  p: 1,
});

const derive = (password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> => {
  // scrypt needs 128 * N * r bytes; allow twice that so Node never refuses a valid cost.
  const options: ScryptOptions = {
    N: params.n,
    r: params.r,
    p: params.p,
    maxmem: 256 * params.n * params.r,
  };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) =>
      error === null ? resolve(key) : reject(error),
    );
  });
};

/**
 * `scrypt$N$r$p$salt$key` with base64url salt and key. Unbounded: the product hashes through
 * PasswordHasher, whose queue bounds how many derivations run and wait.
 */
export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, params);
  return [
    PREFIX,
    params.n,
    params.r,
    params.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

const parse = (stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | null => {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== PREFIX) return null;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  if (n === undefined || r === undefined || p === undefined) return null;
  if (![n, r, p].every((v) => Number.isSafeInteger(v) && v > 0)) return null;
  // Bounds keep a corrupt record from asking for gigabytes (N must be a power of two).
  if (n > 2 ** 20 || (n & (n - 1)) !== 0 || r > 32 || p > 16) return null;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const key = Buffer.from(parts[5] ?? '', 'base64url');
  if (salt.length === 0 || key.length !== KEY_LENGTH) return null;
  return { params: { n, r, p }, salt, key };
};

/** The cost a stored hash was made with, or null when it is malformed. */
export const storedHashParams = (stored: string): ScryptParams | null =>
  parse(stored)?.params ?? null;

/** Constant-time comparison; a malformed stored hash never matches. Unbounded, as hashPassword. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (parsed === null) return false;
  const key = await derive(password, parsed.salt, parsed.params);
  return timingSafeEqual(key, parsed.key);
}

/** Defaults of PASSWORD_HASH_CONCURRENCY and PASSWORD_HASH_QUEUE. */
export const DEFAULT_HASH_CONCURRENCY = 2;
export const DEFAULT_HASH_QUEUE = 4;

/**
 * Hashes new passwords at the configured cost (PASSWORD_SCRYPT_LOG2N) and verifies stored ones
 * at whatever cost they carry, every derivation through one bounded HashingQueue per process
 * (PASSWORD_HASH_CONCURRENCY running, PASSWORD_HASH_QUEUE waiting; beyond: 503 CREDENTIALS_BUSY).
 * Injected into the auth services, so specs can hand them a cheap one.
 */
export class PasswordHasher {
  constructor(
    readonly params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
    readonly queue: HashingQueue = new HashingQueue(DEFAULT_HASH_CONCURRENCY, DEFAULT_HASH_QUEUE),
  ) {}

  /** Takes a place in the queue now (or throws CREDENTIALS_BUSY), for a derivation to come. */
  admit(): HashingPlace {
    return this.queue.admit();
  }

  // Both are async so that a full queue (admit() in the default parameter) is a rejection, never
  // a synchronous throw; `run` releases the place when the derivation ends.

  /** Hashes in `place`, or in a place taken now. */
  async hash(password: string, place: HashingPlace = this.admit()): Promise<string> {
    return place.run(() => hashPassword(password, this.params));
  }

  /** Verifies in `place`, or in a place taken now. */
  async verify(
    password: string,
    stored: string,
    place: HashingPlace = this.admit(),
  ): Promise<boolean> {
    return place.run(() => verifyPassword(password, stored));
  }
}
