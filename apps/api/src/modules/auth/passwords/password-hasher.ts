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

// Each derivation at the default cost holds 128 MiB: cap how many run at once so a burst of
// logins queues instead of exhausting memory (and the libuv pool other I/O needs).
const MAX_CONCURRENT_DERIVATIONS = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function withSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running < MAX_CONCURRENT_DERIVATIONS) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await work();
  } finally {
    // Hand the slot straight to the next waiter, or free it.
    const next = waiting.shift();
    if (next === undefined) running--;
    else next();
  }
}

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
  withSlot(() => deriveNow(password, salt, params));

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

/** Constant-time comparison; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (parsed === null) return false;
  const key = await derive(password, parsed.salt, parsed.params);
  return timingSafeEqual(key, parsed.key);
}
