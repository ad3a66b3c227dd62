// Which lifecycle rules already make storage abort incomplete multipart uploads under a prefix,
// and the configuration with ours added. Pure functions over the SDK's rule shape.
import type { LifecycleRule } from '@aws-sdk/client-s3';

export interface AbortUploadsRule {
  /** The rule's ID: a rule carrying it is ours, replaced rather than duplicated. */
  id: string;
  prefix: string;
  days: number;
}

/**
 * The key prefix a rule is limited to ('' = the whole bucket), or null when it is narrowed by
 * something other than a prefix (tags, object sizes), so it cannot be relied on for every upload.
 */
export function ruleScope(rule: LifecycleRule): string | null {
  const filter = rule.Filter;
  // No Filter: the deprecated rule-level Prefix, or (where storage allows it) the whole bucket.
  if (filter === undefined) return rule.Prefix ?? '';
  if (
    filter.Tag !== undefined ||
    filter.ObjectSizeGreaterThan !== undefined ||
    filter.ObjectSizeLessThan !== undefined
  ) {
    return null;
  }
  const and = filter.And;
  if (and !== undefined) {
    const narrowed =
      (and.Tags?.length ?? 0) > 0 ||
      and.ObjectSizeGreaterThan !== undefined ||
      and.ObjectSizeLessThan !== undefined;
    return narrowed ? null : (and.Prefix ?? '');
  }
  return filter.Prefix ?? '';
}

/** True when `rule` is enabled and aborts every incomplete upload whose key starts with `prefix`. */
export function abortsUploadsUnder(rule: LifecycleRule, prefix: string): boolean {
  if (rule.Status !== 'Enabled') return false;
  if (rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation === undefined) return false;
  const scope = ruleScope(rule);
  return scope !== null && prefix.startsWith(scope);
}

/**
 * `rules` with ours added, every other rule kept as it is. A rule that already carries our ID
 * (disabled, or scoped elsewhere by an earlier version) is replaced in place: S3 refuses two
 * rules with one ID.
 */
export function withAbortUploadsRule(
  rules: readonly LifecycleRule[],
  ours: AbortUploadsRule,
): LifecycleRule[] {
  const rule: LifecycleRule = {
    ID: ours.id,
    Filter: { Prefix: ours.prefix },
    Status: 'Enabled',
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: ours.days },
  };
  const at = rules.findIndex((r) => r.ID === ours.id);
  return at < 0 ? [...rules, rule] : rules.map((r, i) => (i === at ? rule : r));
}
