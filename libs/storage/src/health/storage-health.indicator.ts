import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { StorageUnavailableError } from '../errors/storage-errors.js';
import { StoragePolicy } from '../resilience/storage-policy.js';
import { StorageService } from '../storage.service.js';

// A readiness probe must answer fast, whatever the configured S3 timeouts.
const PROBE_TIMEOUT_MS = 1500;

/**
 * Readiness of storage: HeadBucket through the circuit breaker. While the breaker is open the
 * call fails in microseconds without touching storage; once the half-open delay is over the
 * probe itself is the breaker's trial call, so readiness recovers with nothing but its probes.
 * The same HeadBucket also runs in the background whenever the breaker opens, so the breaker
 * (and `storage_circuit_state`) recovers even when nothing probes readiness.
 */
@Injectable()
export class StorageHealthIndicator implements OnApplicationShutdown {
  constructor(
    @Inject(HealthIndicatorService) private readonly health: HealthIndicatorService,
    @Inject(StorageService) private readonly storage: StorageService,
    @Inject(StoragePolicy) private readonly policy: StoragePolicy,
  ) {
    policy.probeWhileOpen(() => this.probe());
  }

  async isHealthy<const Key extends string = 'storage'>(
    key: Key = 'storage' as Key,
  ): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.health.check(key);
    try {
      await this.probe();
      return indicator.up({ circuit: this.policy.circuitState });
    } catch (err) {
      const circuit = this.policy.circuitState;
      const message = err instanceof Error ? err.message : 'storage check failed';
      if (err instanceof StorageUnavailableError && circuit !== 'closed') {
        return indicator.down({
          circuit,
          retryAfterSeconds: this.policy.retryAfterSeconds(),
          message,
        });
      }
      return indicator.down({ circuit, message });
    }
  }

  onApplicationShutdown(): void {
    this.policy.stopProbing();
  }

  private probe(): Promise<void> {
    return this.storage.headBucket({ timeoutMs: PROBE_TIMEOUT_MS });
  }
}
