// Which lifecycle rules already make storage abort incomplete multipart uploads under a prefix,
// and the configuration with ours added. Pure functions over the SDK's rule shape.
import type { LifecycleRule } from '@aws-sdk/client-s3';
import type { EarlyAbortRule } from '../storage.types.js';

export interface AbortUploadsRule {
  /** The rule's ID: a rule carrying it counts as ours, whatever it says, and is left alone. */
  id: string;
  prefix: string;
  /** Days after initiation; also the least any rule over the prefix should wait. */
  days: number;
}

/** The key prefix a rule names ('' = the whole bucket), whatever else narrows it. */
function rulePrefix(rule: LifecycleRule): string {
  const filter = rule.Filter;
  if (filter === undefined) return rule.Prefix ?? '';
  return (filter.And !== undefined ? filter.And.Prefix : filter.Prefix) ?? '';
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
  const narrowed =
    and !== undefined &&
    ((and.Tags?.length ?? 0) > 0 ||
      and.ObjectSizeGreaterThan !== undefined ||
      and.ObjectSizeLessThan !== undefined);
  return narrowed ? null : rulePrefix(rule);
}

/** True when `rule` is enabled and aborts every incomplete upload whose key starts with `prefix`. */
export function abortsUploadsUnder(rule: LifecycleRule, prefix: string): boolean {
  if (rule.Status !== 'Enabled') return false;
  if (rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation === undefined) return false;
  const scope = ruleScope(rule);
  return scope !== null && prefix.startsWith(scope);
}

/**
 * The enabled rules (ours included) that abort some incomplete uploads under `ours.prefix`
 * sooner than `ours.days` days after they begin: storage may abort uploads that are still
 * allowed to finish. A rule counts when its prefix lies above ours (it covers every upload) or
 * below it (some of them), whatever tags or sizes narrow it further.
 */
export function rulesAbortingSooner(
  rules: readonly LifecycleRule[],
  ours: AbortUploadsRule,
): EarlyAbortRule[] {
  const sooner: EarlyAbortRule[] = [];
  for (const rule of rules) {
    const days = rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation;
    if (rule.Status !== 'Enabled' || days === undefined || days >= ours.days) continue;
    const prefix = rulePrefix(rule);
    if (ours.prefix.startsWith(prefix) || prefix.startsWith(ours.prefix)) {
      sooner.push({ id: rule.ID ?? null, days });
    }
  }
  return sooner;
}

/**
 * True when storage needs no rule from us: a rule carrying our ID exists, enabled or not, or an
 * enabled rule of anyone's already aborts incomplete uploads under the prefix. A rule with our
 * ID is the operator's to keep as it is: one who disabled it (or narrowed it) meant it, so it is
 * never re-enabled or rewritten, at this start or any later one.
 */
export function hasAbortUploadsRule(
  rules: readonly LifecycleRule[],
  ours: AbortUploadsRule,
): boolean {
  return rules.some((rule) => rule.ID === ours.id || abortsUploadsUnder(rule, ours.prefix));
}

/**
 * `rules` with ours added after them, every other rule kept as it is. Unchanged when a rule
 * already carries our ID (see hasAbortUploadsRule): S3 refuses two rules with one ID.
 */
export function withAbortUploadsRule(
  rules: readonly LifecycleRule[],
  ours: AbortUploadsRule,
): LifecycleRule[] {
  if (rules.some((r) => r.ID === ours.id)) return [...rules];
  const rule: LifecycleRule = {
    ID: ours.id,
    Filter: { Prefix: ours.prefix },
    Status: 'Enabled',
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: ours.days },
  };
  return [...rules, rule];
}
