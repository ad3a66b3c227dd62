// Reads raw environment strings into typed values, collecting one problem line per variable
// instead of stopping at the first, so an operator can fix everything in one go.

export type Env = Readonly<Record<string, string | undefined>>;

// Variables whose values must never appear in an error line or a log.
const SECRET_VARS = new Set([
  'MONGODB_URI',
  'S3_SECRET_ACCESS_KEY',
  'S3_ACCESS_KEY_ID',
  'S3_SESSION_TOKEN',
  'JWT_PRIVATE_KEY',
  'JWT_VERIFY_KEYS',
]);

const MAX_ECHO = 60;

export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  /** The trimmed value, or undefined when unset or blank. */
  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  /** Records a problem; `echo: false` when the value itself may hold a secret. */
  fail(name: string, requirement: string, echo = true): undefined {
    this.problems.push(`${name}: ${requirement}${echo ? this.got(name) : ''}`);
    return undefined;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  required(name: string): string {
    const value = this.raw(name);
    if (value === undefined) {
      this.problems.push(`${name}: is required`);
      return '';
    }
    return value;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      this.fail(name, `must be an integer between ${min} and ${max}`);
      return fallback;
    }
    return parsed;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    this.fail(name, 'must be true or false');
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const match = allowed.find((a) => a === value.toLowerCase());
    if (match === undefined) {
      this.fail(name, `must be one of ${allowed.join(', ')}`);
      return fallback;
    }
    return match;
  }

  /** An absolute http(s) URL without query or fragment; trailing slashes are dropped. */
  httpUrl(name: string, value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return this.fail(name, 'must be an absolute http(s) URL');
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
      return this.fail(name, 'must be an absolute http(s) URL without query or fragment');
    }
    if (url.username || url.password) {
      return this.fail(name, 'must not contain credentials', false);
    }
    return url.href.replace(/\/+$/, '');
  }

  private got(name: string): string {
    const value = this.env[name];
    if (value === undefined || SECRET_VARS.has(name)) return '';
    const shown = value.length > MAX_ECHO ? `${value.slice(0, MAX_ECHO)}…` : value;
    return `, got ${JSON.stringify(shown)}`;
  }
}
