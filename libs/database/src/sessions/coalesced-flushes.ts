/** A session's outbox as a committed change returned it: its seq and the entries it held. */
export interface OutboxSnapshot {
  _id: string;
  seq: number;
}

interface SessionFlushes<S extends OutboxSnapshot> {
  /**
   * The snapshot with the highest seq seen: it holds every entry not yet in `events`. Null once
   * a flush copied it (an idle session keeps no outbox in memory).
   */
  latest: S | null;
  /** Every event up to this seq is in `events` and out of the outbox (by a flush of ours). */
  copied: number;
  inFlight: Promise<void> | null;
  /** Callers inside after(): a state with none and nothing in flight may be dropped. */
  callers: number;
}

// Idle sessions whose `copied` is kept: a change's reply that comes in after its session went
// idle may hold entries copied already, and `copied` spares copying them again.
const IDLE_KEPT = 1024;

/**
 * At most one outbox flush in flight per session in this process. A caller whose change
 * committed waits for a flush that started after its commit (or for one that copied its seq
 * anyway): the guarantee of a flush per change (the caller goes on once its event is in
 * `events`), but under load on one session one flush copies the entries of every change that
 * committed while the previous one ran, instead of each change copying the whole outbox again.
 *
 * Why the latest snapshot is enough: an entry with a seq at most its seq is either in it or was
 * pulled before it was taken, and a flush pulls only what it has inserted.
 */
export class CoalescedFlushes<S extends OutboxSnapshot> {
  private readonly sessions = new Map<string, SessionFlushes<S>>();

  /**
   * @param run copies `snapshot`'s entries with a seq above `copied` and pulls them; rejects
   *   when the copy failed (the entries stay in the outbox).
   * @param failed told once per failed flush (the callers waiting for it go on regardless).
   */
  constructor(
    private readonly run: (snapshot: S, copied: number) => Promise<void>,
    private readonly failed: (snapshot: S, error: unknown) => void,
  ) {}

  /** Resolves once a flush that covers `snapshot.seq` ran (or failed: then it was reported). */
  async after(snapshot: S): Promise<void> {
    const state = this.stateOf(snapshot);
    state.callers += 1;
    try {
      // A flush in flight may have started before this commit: it need not hold its entry.
      if (state.inFlight !== null) await state.inFlight;
      if (state.copied >= snapshot.seq) return;
      // The first caller back starts the next flush; everyone else waiting joins it. It starts
      // after this commit, from a snapshot at least as new as this one.
      state.inFlight ??= this.start(state, state.latest ?? snapshot);
      await state.inFlight;
    } finally {
      state.callers -= 1;
    }
  }

  private stateOf(snapshot: S): SessionFlushes<S> {
    const state = this.sessions.get(snapshot._id);
    if (state === undefined) {
      if (this.sessions.size >= IDLE_KEPT) this.dropIdle();
      const fresh: SessionFlushes<S> = { latest: snapshot, copied: 0, inFlight: null, callers: 0 };
      this.sessions.set(snapshot._id, fresh);
      return fresh;
    }
    if (snapshot.seq > Math.max(state.copied, state.latest?.seq ?? 0)) state.latest = snapshot;
    return state;
  }

  private dropIdle(): void {
    for (const [id, state] of this.sessions) {
      if (state.callers === 0 && state.inFlight === null) this.sessions.delete(id);
    }
  }

  private start(state: SessionFlushes<S>, snapshot: S): Promise<void> {
    return this.run(snapshot, state.copied).then(
      () => {
        state.copied = Math.max(state.copied, snapshot.seq);
        if (state.latest === snapshot) state.latest = null;
        state.inFlight = null;
      },
      (error: unknown) => {
        state.inFlight = null;
        this.failed(snapshot, error);
      },
    );
  }
}
