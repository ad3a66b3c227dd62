import { isSpent, newReservation, type Reservation } from './reservation.js';

// Below this many keys a sweep is not worth its walk.
const MIN_SWEEP_AT = 64;

/**
 * One replica's reservations by key, bounded without timers: when a new key would take the map to
 * its next sweep mark, spent entries go (window and block both over), and if it is still near
 * `maxKeys` the oldest idle ones go too. The next mark is twice what is left, so the walks cost
 * O(1) per new key over time. Dropping a live entry is safe: it loses its unused grant (clients
 * get fewer admissions, never more) and its cached block (the next claim reads the shared one).
 */
export class ReservationMap {
  private readonly entries = new Map<string, Reservation>();
  private sweepAt: number;

  constructor(private readonly maxKeys: number) {
    this.sweepAt = Math.min(MIN_SWEEP_AT, maxKeys);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The key's reservation, a fresh one if it has none. */
  obtain(key: string, now: number): Reservation {
    const found = this.entries.get(key);
    if (found !== undefined) return found;
    if (this.entries.size >= this.sweepAt) this.sweep(now);
    const created = newReservation();
    this.entries.set(key, created);
    return created;
  }

  /** Marks the key as just used, so that it is the last one dropped for room. */
  touch(key: string, reservation: Reservation): void {
    if (this.entries.get(key) !== reservation) return;
    this.entries.delete(key);
    this.entries.set(key, reservation);
  }

  private sweep(now: number): void {
    for (const [key, reservation] of this.entries) {
      if (isSpent(reservation, now)) this.entries.delete(key);
    }
    // Still crowded: room for a quarter more, oldest first. A claim in flight stays, so that a
    // key never has two claims at once on this replica.
    const keep = Math.floor((this.maxKeys * 3) / 4);
    for (const [key, reservation] of this.entries) {
      if (this.entries.size <= keep) break;
      if (reservation.claiming === null) this.entries.delete(key);
    }
    this.sweepAt = Math.min(this.maxKeys, Math.max(MIN_SWEEP_AT, this.entries.size * 2));
  }
}
