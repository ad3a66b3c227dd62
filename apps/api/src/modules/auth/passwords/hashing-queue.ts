import { AppError } from '@app/common';

/** A place in the hashing queue: taken at once, used for one derivation, then released. */
export interface HashingPlace {
  /** Waits for a free slot (arrival order), runs `work` in it, frees the slot. Once only. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Gives the place back; safe to call more than once, and after `run`. */
  release(): void;
}

// Seconds a refused caller is told to wait, spread over 1-3 so that the callers of one burst do
// not all come back in the same instant (the queue drains in about a second at 2^17).
export const BUSY_RETRY_AFTER_SECONDS = { min: 1, max: 3 };

export const credentialsBusy = (): AppError =>
  new AppError(
    'CREDENTIALS_BUSY',
    'Too many passwords are being checked right now; retry in a moment',
    {
      retryAfterSeconds:
        BUSY_RETRY_AFTER_SECONDS.min +
        Math.floor(
          Math.random() * (BUSY_RETRY_AFTER_SECONDS.max - BUSY_RETRY_AFTER_SECONDS.min + 1),
        ),
    },
  );

/**
 * Bounds the scrypt work of one process: at most `maxRunning` derivations at once (each holds a
 * libuv thread and 128 MiB at N=2^17), and at most `maxWaiting` callers waiting for a slot.
 * Beyond that `admit()` refuses at once with `503 CREDENTIALS_BUSY` and Retry-After, so a burst
 * costs the refused callers nothing and the admitted ones at most
 * `ceil((maxRunning + maxWaiting) / maxRunning)` derivation times.
 *
 * A place is taken synchronously, before the caller's other awaits (the per-account reservation,
 * the user lookup), so the bound holds however requests interleave.
 */
export class HashingQueue {
  private admitted = 0;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly maxRunning: number,
    readonly maxWaiting: number,
  ) {
    if (!Number.isInteger(maxRunning) || maxRunning < 1) throw new RangeError('maxRunning >= 1');
    if (!(maxWaiting >= 0)) throw new RangeError('maxWaiting >= 0');
  }

  /** Places holding a slot, and places admitted but not (yet) holding one. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.admitted - this.running };
  }

  /** A place in the queue, or CREDENTIALS_BUSY when running + waiting is at its bound. */
  admit(): HashingPlace {
    if (this.admitted >= this.maxRunning + this.maxWaiting) throw credentialsBusy();
    this.admitted++;
    let used = false;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.admitted--;
    };
    return {
      release,
      run: async <T>(work: () => Promise<T>): Promise<T> => {
        if (used || released) throw new Error('a hashing place runs one derivation');
        used = true;
        try {
          return await this.inSlot(work);
        } finally {
          release();
        }
      },
    };
  }

  /** admit() + run() in one call; a full queue is a rejection, never a synchronous throw. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    return this.admit().run(work);
  }

  private async inSlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.maxRunning) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = this.waiting.shift();
      if (next === undefined) this.running--;
      else next();
    }
  }
}
