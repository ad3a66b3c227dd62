import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import {
  StorageObjectMissingError,
  StorageRequestRejectedError,
  StorageUnavailableError,
} from '../errors/storage-errors.js';
import { CIRCUIT_GAUGE_VALUE, type StorageMetrics } from '../metrics/storage-metrics.js';
import {
  classifyOutcome,
  errorCodeOf,
  httpStatusOf,
  isInfrastructureFailure,
} from './failure-classifier.js';

export interface StoragePolicyOptions {
  /** Overall deadline of one call, SDK retries included (ms). */
  callTimeoutMs: number;
  /** Consecutive infrastructure failures that open the circuit. */
  consecutiveFailures: number;
  /** How long the circuit stays open before a half-open probe is let through (ms). */
  halfOpenAfterMs: number;
}

export interface StorageCallOptions {
  /** Object key, for a precise "missing object" error. */
  key?: string;
  /** Tighter deadline than the default (ms), e.g. for health probes. */
  timeoutMs?: number;
}

export type CircuitStateName = 'closed' | 'half-open' | 'open';

/**
 * Every storage call runs through here: deadline (aborts the SDK call), circuit breaker (opens
 * on infrastructure failures only), timing metric, and translation into domain errors so no SDK
 * error type leaves libs/storage.
 */
export class StoragePolicy {
  private readonly breaker: CircuitBreakerPolicy;
  // Breaker outside the deadline, so a call cut off by the deadline counts as a failure.
  private readonly guarded: IPolicy;
  private openedAt = 0;

  constructor(
    private readonly options: StoragePolicyOptions,
    private readonly metrics: StorageMetrics,
    private readonly now: () => number = Date.now,
  ) {
    this.breaker = circuitBreaker(
      handleWhen((err) => isInfrastructureFailure(err)),
      {
        halfOpenAfter: options.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(options.consecutiveFailures),
      },
    );
    this.breaker.onStateChange((state) => {
      if (state === CircuitState.Open) this.openedAt = this.now();
      this.metrics.setCircuitState(gaugeValue(state));
    });
    this.guarded = wrap(this.breaker, timeout(options.callTimeoutMs, TimeoutStrategy.Aggressive));
  }

  get circuitState(): CircuitStateName {
    switch (this.breaker.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      case CircuitState.Open:
      case CircuitState.Isolated:
        return 'open';
    }
  }

  /** Seconds until the breaker lets a probe through (≥ 1). */
  retryAfterSeconds(): number {
    if (this.breaker.state !== CircuitState.Open) return 1;
    const remaining = this.openedAt + this.options.halfOpenAfterMs - this.now();
    return Math.max(1, Math.ceil(remaining / 1000));
  }

  /**
   * Runs `fn` with an AbortSignal that fires at the deadline. Throws StorageUnavailableError
   * (circuit open, timeout, connection failure, 5xx), StorageObjectMissingError (404) or
   * StorageRequestRejectedError (other 4xx).
   */
  async execute<T>(
    operation: string,
    fn: (signal: AbortSignal) => Promise<T>,
    options: StorageCallOptions = {},
  ): Promise<T> {
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
    const policy =
      options.timeoutMs === undefined
        ? this.guarded
        : wrap(this.breaker, timeout(options.timeoutMs, TimeoutStrategy.Aggressive));
    try {
      const result = await policy.execute(({ signal }) => fn(signal));
      this.metrics.observeCall(operation, 'success', elapsed());
      return result;
    } catch (err) {
      const outcome = classifyOutcome(err);
      this.metrics.observeCall(operation, outcome, elapsed());
      throw this.toDomainError(operation, err, options.key);
    }
  }

  private toDomainError(operation: string, err: unknown, key: string | undefined): Error {
    if (err instanceof BrokenCircuitError) {
      return new StorageUnavailableError(
        'Storage is unavailable (circuit open)',
        this.retryAfterSeconds(),
        err,
      );
    }
    if (isInfrastructureFailure(err)) {
      return new StorageUnavailableError(
        `Storage call ${operation} failed: ${errorCodeOf(err)}`,
        this.retryAfterSeconds(),
        err,
      );
    }
    const outcome = classifyOutcome(err);
    if (outcome === 'not_found') return new StorageObjectMissingError(key ?? '(unknown)', err);
    return new StorageRequestRejectedError(operation, errorCodeOf(err), httpStatusOf(err), err);
  }
}

function gaugeValue(state: CircuitState): 0 | 1 | 2 {
  switch (state) {
    case CircuitState.Closed:
      return CIRCUIT_GAUGE_VALUE.closed;
    case CircuitState.HalfOpen:
      return CIRCUIT_GAUGE_VALUE.halfOpen;
    case CircuitState.Open:
    case CircuitState.Isolated:
      return CIRCUIT_GAUGE_VALUE.open;
  }
}
