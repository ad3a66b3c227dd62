import {
  GetBucketLifecycleConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  type GetBucketLifecycleConfigurationCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { StorageRequestRejectedError } from '../errors/storage-errors.js';
import { errorCodeOf } from '../resilience/failure-classifier.js';
import type { StoragePolicy } from '../resilience/storage-policy.js';
import type { LifecyclePermission, LifecycleRuleOutcome } from '../storage.types.js';
import {
  hasAbortUploadsRule,
  rulesAbortingSooner,
  withAbortUploadsRule,
  type AbortUploadsRule,
} from './abort-uploads-rule.js';

type Configuration = Pick<
  GetBucketLifecycleConfigurationCommandOutput,
  'Rules' | 'TransitionDefaultMinimumObjectSize'
>;

/** Storage without the lifecycle API (MinIO gateways, some S3 clones) answers 501 NotImplemented. */
function isUnsupported(err: unknown): boolean {
  return (
    err instanceof StorageRequestRejectedError &&
    (err.s3Code === 'NotImplemented' || err.httpStatus === 501)
  );
}

/**
 * Credentials without the lifecycle permissions get 403 AccessDenied. Other 403s (a bad
 * signature or key, a skewed clock) are not about this call: they are thrown, and retried.
 */
function isAccessDenied(err: unknown): boolean {
  return (
    err instanceof StorageRequestRejectedError &&
    err.httpStatus === 403 &&
    err.s3Code === 'AccessDenied'
  );
}

/**
 * Storage that has a lifecycle API but not this rule: MinIO answers a put with an
 * AbortIncompleteMultipartUpload rule 400 MalformedXML (it aborts stale uploads by a server
 * setting instead, MINIO_API_STALE_UPLOADS_EXPIRY). S3 accepts the rule as we write it (the
 * devstack validates it like S3 and the e2e tests put it), so there this is never our XML.
 */
function refusesTheRule(err: unknown): err is StorageRequestRejectedError {
  return (
    err instanceof StorageRequestRejectedError &&
    err.httpStatus === 400 &&
    (err.s3Code === 'MalformedXML' || err.s3Code === 'NotImplemented')
  );
}

/**
 * Storage's final answer to a lifecycle call it refused (no lifecycle API, no permission): the
 * same on every retry, and no sign of an outage (4xx and 501 never count against the breaker).
 * Anything else is thrown.
 */
function refusal(err: unknown, permission: LifecyclePermission): LifecycleRuleOutcome {
  if (isUnsupported(err)) return { outcome: 'unsupported' };
  if (isAccessDenied(err)) return { outcome: 'forbidden', permission };
  throw err;
}

/** The bucket's lifecycle configuration, read and written through the StoragePolicy. */
export class BucketLifecycle {
  constructor(
    private readonly client: S3Client,
    private readonly policy: StoragePolicy,
    private readonly bucket: string,
  ) {}

  async ensureAbortIncompleteUploadsRule(ours: AbortUploadsRule): Promise<LifecycleRuleOutcome> {
    let current: Configuration;
    try {
      current = await this.read();
    } catch (err) {
      return refusal(err, 's3:GetLifecycleConfiguration');
    }
    const rules = current.Rules ?? [];
    // Reported, never rewritten: every rule is the operator's to change (ours too, see below).
    const abortingSooner = rulesAbortingSooner(rules, ours);
    // Present also when our rule is there but disabled or changed: an operator's choice.
    if (hasAbortUploadsRule(rules, ours)) return { outcome: 'present', abortingSooner };
    try {
      // S3 has no conditional put: a rule another client adds between this read and the put
      // is lost. Callers run this once at startup, when nobody else edits the bucket's rules.
      await this.write({ ...current, Rules: withAbortUploadsRule(rules, ours) });
    } catch (err) {
      if (refusesTheRule(err)) {
        return { outcome: 'unsupported', refusedWith: err.s3Code };
      }
      return refusal(err, 's3:PutLifecycleConfiguration');
    }
    return { outcome: 'added', abortingSooner };
  }

  /** The configuration as storage holds it; no configuration at all is no rules. */
  private read(): Promise<Configuration> {
    return this.policy.execute(
      'GetBucketLifecycleConfiguration',
      async (abortSignal) => {
        try {
          const out = await this.client.send(
            new GetBucketLifecycleConfigurationCommand({ Bucket: this.bucket }),
            { abortSignal },
          );
          return {
            Rules: out.Rules,
            TransitionDefaultMinimumObjectSize: out.TransitionDefaultMinimumObjectSize,
          };
        } catch (err) {
          // A normal answer (404), not a missing bucket: keep it out of the domain errors.
          if (errorCodeOf(err) === 'NoSuchLifecycleConfiguration') return { Rules: [] };
          throw err;
        }
      },
      { key: this.bucket },
    );
  }

  /**
   * Replaces the whole configuration with `config`: the rules as read (filters, expirations,
   * transitions, noncurrent-version actions, status) go back as the SDK parsed them. S3
   * requires a checksum on this call; the SDK adds one even with WHEN_REQUIRED.
   */
  private async write(config: Configuration): Promise<void> {
    await this.policy.execute(
      'PutBucketLifecycleConfiguration',
      (abortSignal) =>
        this.client.send(
          new PutBucketLifecycleConfigurationCommand({
            Bucket: this.bucket,
            LifecycleConfiguration: { Rules: config.Rules },
            TransitionDefaultMinimumObjectSize: config.TransitionDefaultMinimumObjectSize,
          }),
          { abortSignal },
        ),
      { key: this.bucket },
    );
  }
}
