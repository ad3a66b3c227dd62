import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReservationMap } from './reservation-map.js';

const MINUTE = 60_000;

describe('ReservationMap', () => {
  it('drops keys whose window and block have ended, with no timer', () => {
    const map = new ReservationMap(1_000);
    let now = 0;
    // One client a second for an hour, each seen once with a one-minute window.
    for (let i = 0; i < 3_600; i++) {
      now += 1_000;
      const reservation = map.obtain(`client-${String(i)}`, now);
      reservation.windowEndsAt = now + MINUTE;
    }
    // About 60 are live at any time (one a second, one-minute windows); a sweep leaves those and
    // the next comes at twice as many.
    assert.ok(map.size <= 120, `${String(map.size)} keys held`);
    assert.ok(map.size >= 60, 'the live ones are kept');
  });

  it('keeps a key that is blocked after its window has ended', () => {
    const map = new ReservationMap(64);
    const blocked = map.obtain('blocked', 0);
    blocked.windowEndsAt = MINUTE;
    blocked.blockedUntil = 10 * MINUTE;
    for (let i = 0; i < 500; i++) map.obtain(`spent-${String(i)}`, 2 * MINUTE);
    assert.equal(map.obtain('blocked', 2 * MINUTE), blocked);
  });

  it('never holds more than maxKeys, dropping the least recently claimed live ones', () => {
    const map = new ReservationMap(100);
    const kept = map.obtain('busy', 0);
    kept.windowEndsAt = MINUTE;
    for (let i = 0; i < 1_000; i++) {
      map.obtain(`live-${String(i)}`, 0).windowEndsAt = MINUTE;
      map.touch('busy', kept);
      assert.ok(map.size <= 100, `${String(map.size)} keys`);
    }
    assert.equal(map.obtain('busy', 0), kept, 'the key used most recently stayed');
  });

  it('never drops a key with a claim in flight', () => {
    const map = new ReservationMap(10);
    const claiming = map.obtain('claiming', 0);
    claiming.windowEndsAt = MINUTE;
    claiming.claiming = new Promise(() => undefined);
    for (let i = 0; i < 100; i++) map.obtain(`live-${String(i)}`, 0).windowEndsAt = MINUTE;
    assert.equal(map.obtain('claiming', 0), claiming);
  });
});
