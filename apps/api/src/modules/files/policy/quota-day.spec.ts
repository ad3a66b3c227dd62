import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextUtcDayStart, secondsUntilNextUtcDay, utcDay } from './quota-day.js';

const at = (iso: string): Date => new Date(iso);

describe('utcDay', () => {
  it('names the UTC calendar day, whatever the local time zone', () => {
    assert.equal(utcDay(at('2026-03-01T00:00:00.000Z')), '2026-03-01');
    assert.equal(utcDay(at('2026-02-28T23:59:59.999Z')), '2026-02-28');
    assert.equal(utcDay(at('2026-03-01T01:30:00+02:00')), '2026-02-28');
    assert.equal(utcDay(at('2028-02-29T12:00:00Z')), '2028-02-29');
    assert.equal(utcDay(at('2026-12-31T23:59:59.999Z')), '2026-12-31');
  });
});

describe('secondsUntilNextUtcDay', () => {
  it('counts whole seconds to the next midnight UTC', () => {
    assert.equal(secondsUntilNextUtcDay(at('2026-03-01T00:00:00.000Z')), 86_400);
    assert.equal(secondsUntilNextUtcDay(at('2026-03-01T12:00:00.000Z')), 43_200);
    assert.equal(secondsUntilNextUtcDay(at('2026-03-01T23:59:00.000Z')), 60);
    assert.equal(secondsUntilNextUtcDay(at('2026-03-01T23:59:58.500Z')), 2);
  });

  it('is never 0, even in the last millisecond of a day', () => {
    assert.equal(secondsUntilNextUtcDay(at('2026-03-01T23:59:59.999Z')), 1);
    assert.equal(secondsUntilNextUtcDay(at('2026-03-01T23:59:59.000Z')), 1);
  });

  it('agrees with nextUtcDayStart, across month and year ends', () => {
    assert.equal(
      nextUtcDayStart(at('2026-12-31T18:00:00Z')).toISOString(),
      '2027-01-01T00:00:00.000Z',
    );
    assert.equal(
      nextUtcDayStart(at('2028-02-28T00:00:00Z')).toISOString(),
      '2028-02-29T00:00:00.000Z',
    );
    assert.equal(
      nextUtcDayStart(at('2026-03-01T00:00:00Z')).toISOString(),
      '2026-03-02T00:00:00.000Z',
    );
    const now = at('2026-07-04T09:08:07.006Z');
    assert.equal(utcDay(nextUtcDayStart(now)), '2026-07-05');
    assert.equal(
      secondsUntilNextUtcDay(now),
      Math.ceil((nextUtcDayStart(now).getTime() - now.getTime()) / 1000),
    );
  });
});
