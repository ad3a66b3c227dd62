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

// A recovery probe that found the breaker not yet willing (timer and clock disagree by a few
// ms) tries again after at least this long.
const RECOVERY_RETRY_MIN_MS = 25;

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
  // Wall-clock time of the last opening, as cockatiel measures halfOpenAfter (Date.now).
  private openedAtWallClock = 0;
  private openings = 0;
  private recoveryProbe: (() => Promise<unknown>) | undefined;
  private recoveryTimer: NodeJS.Timeout | undefined;

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
      if (state === CircuitState.Open) {
        this.openedAt = this.now();
        this.openedAtWallClock = Date.now();
        this.openings++;
        this.scheduleRecoveryProbe(options.halfOpenAfterMs);
      }
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
   * Makes the breaker recover by itself. Cockatiel only half-opens when a call is attempted
   * after halfOpenAfter, so a process with no storage traffic (an unready pod gets none) would
   * stay open forever. With a probe registered, every opening schedules `probe` (a cheap call
   * through this policy, e.g. HeadBucket with a short deadline) for the moment the breaker lets
   * a trial through: success closes the circuit, failure opens it again and schedules the next.
   */
  probeWhileOpen(probe: () => Promise<unknown>): void {
    this.recoveryProbe = probe;
    if (this.breaker.state === CircuitState.Open) {
      this.scheduleRecoveryProbe(this.untilHalfOpenMs());
    }
  }

  /** Stops the background recovery probe (on shutdown). */
  stopProbing(): void {
    clearTimeout(this.recoveryTimer);
    this.recoveryTimer = undefined;
    this.recoveryProbe = undefined;
  }

  private untilHalfOpenMs(): number {
    return this.openedAtWallClock + this.options.halfOpenAfterMs - Date.now();
  }

  private scheduleRecoveryProbe(delayMs: number): void {
    clearTimeout(this.recoveryTimer);
    this.recoveryTimer = undefined;
    if (this.recoveryProbe === undefined) return;
    // +1: cockatiel lets the trial through once Date.now() - openedAt >= halfOpenAfter.
    this.recoveryTimer = setTimeout(() => void this.runRecoveryProbe(), Math.max(0, delayMs) + 1);
    // Never keeps the process alive on its own.
    this.recoveryTimer.unref();
  }

  private async runRecoveryProbe(): Promise<void> {
    this.recoveryTimer = undefined;
    const probe = this.recoveryProbe;
    // Half-open: another call is the trial; if it fails, the re-opening schedules a new probe.
    if (probe === undefined || this.breaker.state !== CircuitState.Open) return;
    const openings = this.openings;
    // Its failure is the breaker's business (it re-opens); nothing to report here.
    await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    // Still open from the same opening: the breaker refused the probe (it came a few ms early).
    if (this.breaker.state === CircuitState.Open && this.openings === openings) {
      this.scheduleRecoveryProbe(Math.max(RECOVERY_RETRY_MIN_MS, this.untilHalfOpenMs()));
    }
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
    if (this.breaker.state === CircuitState.HalfOpen) {
      // One trial call is deciding whether storage is back. Cockatiel would queue this call
      // behind it (up to the trial's deadline, 15 s for a slow operation); answer at once instead.
      this.metrics.observeCall(operation, 'circuit_open', elapsed());
      throw new StorageUnavailableError(
        'Storage is unavailable (circuit half-open: a trial call is in flight)',
        this.retryAfterSeconds(),
      );
    }
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
