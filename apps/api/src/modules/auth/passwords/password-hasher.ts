import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

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

/** Runs at most `max` tasks at once; the rest wait in arrival order. */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number) {}

  /** Tasks holding a slot, and tasks queued for one. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.max) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = this.waiting.shift();
      if (next === undefined) this.running--;
      else next();
    }
  }
}

// Each derivation at the default cost holds 128 MiB: cap how many run at once, process-wide, so
// a burst of logins queues instead of exhausting memory (and the libuv pool other I/O needs).
const MAX_CONCURRENT_DERIVATIONS = 2;
const derivations = new ConcurrencyLimit(MAX_CONCURRENT_DERIVATIONS);

/** How many scrypt derivations run and wait right now (for tests and diagnostics). */
export const derivationLoad = (): { running: number; waiting: number } => derivations.load;

const deriveNow = (password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> => {
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

const derive = (password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> =>
  derivations.run(() => deriveNow(password, salt, params));

/** `scrypt$N$r$p$salt$key` with base64url salt and key. */
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

/** Constant-time comparison; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (parsed === null) return false;
  const key = await derive(password, parsed.salt, parsed.params);
  return timingSafeEqual(key, parsed.key);
}

/**
 * Hashes new passwords at the configured cost (PASSWORD_SCRYPT_LOG2N) and verifies stored ones
 * at whatever cost they carry. Injected into the auth services, so specs can hand them a cheap one.
 */
export class PasswordHasher {
  constructor(readonly params: ScryptParams = DEFAULT_SCRYPT_PARAMS) {}

  hash(password: string): Promise<string> {
    return hashPassword(password, this.params);
  }

  verify(password: string, stored: string): Promise<boolean> {
    return verifyPassword(password, stored);
  }
}
