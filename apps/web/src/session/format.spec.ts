import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { downloadsLeft, formatRemaining, formatSize } from './format';

describe('formatRemaining ("Ends in …")', () => {
  test('minutes and seconds below an hour, with two-digit seconds', () => {
    assert.equal(formatRemaining(4 * 60_000 + 5_000), '4:05');
    assert.equal(formatRemaining(59_999), '0:59');
    assert.equal(formatRemaining(999), '0:00');
  });

  test('hours, then days, with two-digit minutes and seconds', () => {
    assert.equal(formatRemaining((3600 + 2 * 60 + 3) * 1000), '1:02:03');
    assert.equal(formatRemaining(3_600_000), '1:00:00');
    assert.equal(formatRemaining(7 * 86_400_000), '7 d 00:00:00');
    assert.equal(formatRemaining((2 * 86_400 + 3 * 3600 + 4 * 60 + 5) * 1000), '2 d 03:04:05');
  });

  test('never negative once the time is up', () => {
    assert.equal(formatRemaining(-5_000), '0:00');
  });
});

describe('formatSize', () => {
  test('decimal units as file managers show them', () => {
    assert.equal(formatSize(0), '0 B');
    assert.equal(formatSize(512), '512 B');
    assert.equal(formatSize(999), '999 B');
    assert.equal(formatSize(1000), '1.0 KB');
    assert.equal(formatSize(1_500_000), '1.5 MB');
    assert.equal(formatSize(24_000_000_000), '24 GB');
    assert.equal(formatSize(5 * 1024 ** 3), '5.4 GB');
    assert.equal(formatSize(3_000_000_000_000_000), '3000 TB');
  });
});

describe('downloadsLeft', () => {
  test('"1 download left", "3 downloads left", never below zero', () => {
    assert.equal(downloadsLeft(1), '1 download left');
    assert.equal(downloadsLeft(3), '3 downloads left');
    assert.equal(downloadsLeft(0), '0 downloads left');
    assert.equal(downloadsLeft(-2), '0 downloads left');
  });
});
