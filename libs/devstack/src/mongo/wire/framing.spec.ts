import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FramingError, MessageFramer } from './framing.js';
import { crc32c } from '../../shared/crc32c.js';

function message(size: number, fill: number): Buffer {
  const b = Buffer.alloc(size, fill);
  b.writeInt32LE(size, 0);
  return b;
}

describe('MessageFramer', () => {
  it('reassembles a message split across chunks', () => {
    const framer = new MessageFramer(1000);
    const msg = message(40, 7);
    assert.deepEqual(framer.push(msg.subarray(0, 3)), []);
    assert.deepEqual(framer.push(msg.subarray(3, 20)), []);
    const out = framer.push(msg.subarray(20));
    assert.equal(out.length, 1);
    assert.deepEqual(out[0], msg);
  });

  it('splits coalesced messages and keeps the remainder', () => {
    const framer = new MessageFramer(1000);
    const a = message(20, 1);
    const b = message(30, 2);
    const c = message(25, 3);
    const all = Buffer.concat([a, b, c]);
    const out = framer.push(all.subarray(0, 60));
    assert.deepEqual(out, [a, b]);
    assert.deepEqual(framer.push(all.subarray(60)), [c]);
  });

  it('rejects oversized and undersized lengths', () => {
    const big = new MessageFramer(100);
    assert.deepEqual(big.push(message(200, 0)), []);
    assert.ok(big.failed instanceof FramingError);
    const tiny = Buffer.alloc(8);
    tiny.writeInt32LE(4, 0);
    const small = new MessageFramer(100);
    small.push(tiny);
    assert.ok(small.failed instanceof FramingError);
  });

  it('still returns the messages that precede a bad frame', () => {
    const framer = new MessageFramer(100);
    const good = message(20, 1);
    const bad = Buffer.alloc(16);
    bad.writeInt32LE(-5, 0);
    assert.deepEqual(framer.push(Buffer.concat([good, bad])), [good]);
    assert.ok(framer.failed);
    assert.deepEqual(framer.push(message(20, 2)), []);
  });
});

describe('crc32c', () => {
  it('matches the RFC 3720 check value', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc32c(Buffer.alloc(32, 0)), 0x8a9136aa);
  });
});
