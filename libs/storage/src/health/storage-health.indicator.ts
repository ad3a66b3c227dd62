import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { StoragePolicy } from '../resilience/storage-policy.js';
import { StorageService } from '../storage.service.js';

// A readiness probe must answer fast, whatever the configured S3 timeouts.
const PROBE_TIMEOUT_MS = 1500;

/** Readiness of storage: HeadBucket through the circuit breaker, down while it is open. */
@Injectable()
export class StorageHealthIndicator {
  constructor(
    @Inject(HealthIndicatorService) private readonly health: HealthIndicatorService,
    @Inject(StorageService) private readonly storage: StorageService,
    @Inject(StoragePolicy) private readonly policy: StoragePolicy,
  ) {}

  async isHealthy<const Key extends string = 'storage'>(
    key: Key = 'storage' as Key,
  ): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.health.check(key);
    const circuit = this.policy.circuitState;
    if (circuit === 'open') {
      return indicator.down({ circuit, retryAfterSeconds: this.policy.retryAfterSeconds() });
    }
    try {
      await this.storage.headBucket({ timeoutMs: PROBE_TIMEOUT_MS });
      return indicator.up({ circuit: this.policy.circuitState });
    } catch (err) {
      return indicator.down({
        circuit: this.policy.circuitState,
        message: err instanceof Error ? err.message : 'storage check failed',
      });
    }
  }
}
