import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  TaskCancelledError,
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

export interface StreamingCallOptions {
  /** Object key, for a precise "missing object" error. */
  key?: string;
  /** The call fails when this long passes without progress (ms); default: the call deadline. */
  idleTimeoutMs?: number;
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
    if (this.breaker.state === CircuitState.HalfOpen) {
      // One trial call is deciding whether storage is back. Cockatiel would queue this call
      // behind it (up to the trial's deadline, 15 s for a slow operation); answer at once instead.
      this.refuseWhileNotClosed(operation, 'half-open: a trial call is in flight');
    }
    const policy =
      options.timeoutMs === undefined
        ? this.guarded
        : wrap(this.breaker, timeout(options.timeoutMs, TimeoutStrategy.Aggressive));
    return this.observed(operation, options.key, () => policy.execute(({ signal }) => fn(signal)));
  }

  /**
   * For a call that legitimately runs for minutes (streaming a whole object): no overall
   * deadline, but it fails as a timeout once `idleTimeoutMs` pass without `progress()`. It goes
   * through the breaker (a stall or failure counts against it) yet is never the half-open trial:
   * unless the circuit is closed it fails at once, so a long read cannot hold the breaker
   * half-open; the cheap calls and the recovery probe close it.
   */
  async executeStreaming<T>(
    operation: string,
    fn: (signal: AbortSignal, progress: () => void) => Promise<T>,
    options: StreamingCallOptions = {},
  ): Promise<T> {
    if (this.breaker.state !== CircuitState.Closed) {
      this.refuseWhileNotClosed(operation, this.circuitState);
    }
    const idleMs = options.idleTimeoutMs ?? this.options.callTimeoutMs;
    return this.observed(operation, options.key, () =>
      this.breaker.execute(({ signal }) => withIdleTimeout(idleMs, signal, fn)),
    );
  }

  private refuseWhileNotClosed(operation: string, why: string): never {
    this.metrics.observeCall(operation, 'circuit_open', 0);
    throw new StorageUnavailableError(
      `Storage is unavailable (circuit ${why})`,
      this.retryAfterSeconds(),
    );
  }

  private async observed<T>(
    operation: string,
    key: string | undefined,
    run: () => Promise<T>,
  ): Promise<T> {
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const result = await run();
      this.metrics.observeCall(operation, 'success', elapsed());
      return result;
    } catch (err) {
      const outcome = classifyOutcome(err);
      this.metrics.observeCall(operation, outcome, elapsed());
      throw this.toDomainError(operation, err, key);
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

/**
 * Runs `fn` with a signal that aborts (and a result that rejects with a timeout) once `idleMs`
 * pass without `progress()`; `outer` (the breaker's signal) aborts it too.
 */
async function withIdleTimeout<T>(
  idleMs: number,
  outer: AbortSignal,
  fn: (signal: AbortSignal, progress: () => void) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(outer.reason);
  outer.addEventListener('abort', onOuterAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  let stalled: (err: Error) => void = () => undefined;
  const idle = new Promise<never>((_, reject) => {
    stalled = reject;
  });
  const progress = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const err = Object.assign(
        new TaskCancelledError(`Storage call made no progress for ${idleMs} ms`),
        { name: 'TimeoutError' },
      );
      controller.abort(err);
      stalled(err);
    }, idleMs);
  };
  progress();
  try {
    return await Promise.race([fn(controller.signal, progress), idle]);
  } finally {
    clearTimeout(timer);
    outer.removeEventListener('abort', onOuterAbort);
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
