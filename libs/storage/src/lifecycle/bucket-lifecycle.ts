import {
  GetBucketLifecycleConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  type GetBucketLifecycleConfigurationCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { StorageRequestRejectedError } from '../errors/storage-errors.js';
import { errorCodeOf } from '../resilience/failure-classifier.js';
import type { StoragePolicy } from '../resilience/storage-policy.js';
import type { LifecycleRuleOutcome } from '../storage.types.js';
import {
  hasAbortUploadsRule,
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

/** The bucket's lifecycle configuration, read and written through the StoragePolicy. */
export class BucketLifecycle {
  constructor(
    private readonly client: S3Client,
    private readonly policy: StoragePolicy,
    private readonly bucket: string,
  ) {}

  async ensureAbortIncompleteUploadsRule(ours: AbortUploadsRule): Promise<LifecycleRuleOutcome> {
    try {
      const current = await this.read();
      const rules = current.Rules ?? [];
      // Present also when our rule is there but disabled or changed: an operator's choice.
      if (hasAbortUploadsRule(rules, ours)) return 'present';
      // S3 has no conditional put: a rule another client adds between this read and the put
      // is lost. Callers run this once at startup, when nobody else edits the bucket's rules.
      await this.write({ ...current, Rules: withAbortUploadsRule(rules, ours) });
      return 'added';
    } catch (err) {
      if (isUnsupported(err)) return 'unsupported';
      throw err;
    }
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
