// Conditional requests (If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since) and
// byte ranges, evaluated the way S3 does.
import { S3Error } from './errors.js';

interface Validators {
  etag: string;
  lastModified: number;
}

export type ReadCondition = 'ok' | 'not-modified';

function etagList(value: string): string[] {
  return value
    .split(',')
    .map((t) =>
      t
        .trim()
        .replace(/^W\//, '')
        .replace(/^"(.*)"$/, '$1'),
    )
    .filter((t) => t !== '');
}

/** Whether an If-Match / If-None-Match value matches the object's ETag. */
export function etagMatches(value: string, etag: string): boolean {
  const bare = etag.replace(/^"(.*)"$/, '$1');
  return etagList(value).some((t) => t === '*' || t === bare);
}

function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

// Last-Modified is sent with second precision, so comparisons are made in whole seconds.
const seconds = (ms: number): number => Math.floor(ms / 1000);

/**
 * S3's precedence: If-Match (412) overrides If-Unmodified-Since; If-None-Match (304) overrides
 * If-Modified-Since.
 */
export function evaluateReadConditions(
  get: (name: string) => string | undefined,
  object: Validators,
): ReadCondition {
  const ifMatch = get('if-match');
  const ifNoneMatch = get('if-none-match');
  const modifiedSince = parseHttpDate(get('if-modified-since'));
  const unmodifiedSince = parseHttpDate(get('if-unmodified-since'));
  const modified = seconds(object.lastModified);
  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, object.etag))
      throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Match' });
  } else if (unmodifiedSince !== undefined && modified > seconds(unmodifiedSince)) {
    throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Unmodified-Since' });
  }
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch, object.etag)) return 'not-modified';
  } else if (modifiedSince !== undefined && modified <= seconds(modifiedSince)) {
    return 'not-modified';
  }
  return 'ok';
}

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/**
 * Parses a single `bytes=` range against the object size. Syntactically invalid or multi-range
 * headers are ignored (whole object), as S3 does; unsatisfiable ones are `InvalidRange` (416).
 */
export function parseRange(value: string | undefined, size: number): ByteRange | undefined {
  if (value === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const unsatisfiable = (): S3Error =>
    new S3Error('InvalidRange', undefined, {
      RangeRequested: value,
      ActualObjectSize: String(size),
    });
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) throw unsatisfiable();
  const end = m[2] === '' ? size - 1 : Number(m[2]);
  return { start, end: Math.min(end, size - 1) };
}
