// Lifecycle rules the devstack enforces: Expiration (Days or Date) for objects and
// AbortIncompleteMultipartUpload (DaysAfterInitiation) for uploads, swept periodically.
// Transitions and noncurrent-version rules have no meaning here and are stored only.
import type { Store } from './store.js';
import { children, parseXml, text, type ParsedXml } from './xml.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface LifecycleRule {
  prefix: string;
  /** Filters we cannot evaluate (tags: objects here carry none) make a rule match nothing. */
  matchesNothing: boolean;
  minSize?: number;
  maxSize?: number;
  expireAfterDays?: number;
  expireAt?: number;
  abortUploadsAfterDays?: number;
}

function node(parent: ParsedXml | undefined, name: string): ParsedXml | undefined {
  const v = parent?.[name];
  return typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

function num(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

export function parseLifecycle(xml: string): LifecycleRule[] {
  const doc = parseXml(xml, 'LifecycleConfiguration');
  return children(doc, 'Rule')
    .filter((rule) => text(rule, 'Status') === 'Enabled')
    .map((rule) => {
      const filter = node(rule, 'Filter');
      const and = node(filter, 'And');
      const expiration = node(rule, 'Expiration');
      const date = text(expiration, 'Date');
      return {
        prefix: text(and, 'Prefix') ?? text(filter, 'Prefix') ?? text(rule, 'Prefix') ?? '',
        matchesNothing: filter?.Tag !== undefined || and?.Tag !== undefined,
        minSize: num(text(and, 'ObjectSizeGreaterThan') ?? text(filter, 'ObjectSizeGreaterThan')),
        maxSize: num(text(and, 'ObjectSizeLessThan') ?? text(filter, 'ObjectSizeLessThan')),
        expireAfterDays: num(text(expiration, 'Days')),
        expireAt: date === undefined ? undefined : Date.parse(date),
        abortUploadsAfterDays: num(
          text(node(rule, 'AbortIncompleteMultipartUpload'), 'DaysAfterInitiation'),
        ),
      };
    });
}

function applies(rule: LifecycleRule, key: string, size?: number): boolean {
  if (rule.matchesNothing || !key.startsWith(rule.prefix)) return false;
  if (size !== undefined && rule.minSize !== undefined && size <= rule.minSize) return false;
  if (size !== undefined && rule.maxSize !== undefined && size >= rule.maxSize) return false;
  return true;
}

/** Deletes expired objects and aborts stale uploads in every bucket with a lifecycle. */
export async function sweepLifecycle(store: Store, now = Date.now()): Promise<void> {
  for (const bucket of store.listBuckets()) {
    if (bucket.lifecycle === undefined || !store.hasBucket(bucket.name)) continue;
    const rules = parseLifecycle(bucket.lifecycle);
    for (const key of [...store.sortedKeys(bucket.name)]) {
      const object = store.getObject(bucket.name, key);
      if (!object) continue;
      const expired = rules.some(
        (r) =>
          applies(r, key, object.size) &&
          ((r.expireAfterDays !== undefined &&
            now >= object.lastModified + r.expireAfterDays * DAY_MS) ||
            (r.expireAt !== undefined && now >= r.expireAt)),
      );
      if (expired) await store.deleteObject(bucket.name, key);
    }
    for (const upload of store.uploads(bucket.name)) {
      const { key, initiated, uploadId } = upload.record;
      const stale = rules.some(
        (r) =>
          applies(r, key) &&
          r.abortUploadsAfterDays !== undefined &&
          now >= initiated + r.abortUploadsAfterDays * DAY_MS,
      );
      if (stale && !upload.busy) await store.removeUpload(bucket.name, uploadId);
    }
  }
}
