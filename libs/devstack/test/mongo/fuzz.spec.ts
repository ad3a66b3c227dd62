// Devstack-only wire fuzzing: malformed frames must make the server close that one connection,
// promptly, while other clients keep working and the process never crashes.
// Reproduce a failure with FUZZ_SEED=<seed printed in the failing test's name>.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { deserialize, serialize } from 'bson';
import { devstackOnly, openTarget, type Target } from './support.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const ITERATIONS = 300;
const PARALLEL = 20;
const CLOSE_TIMEOUT_MS = 3000;
const OP_MSG = 2013;
const MAX_MESSAGE = 48_000_000;

// mulberry32: tiny, fast and good enough to make byte soup reproducible.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function header(length: number, opCode: number, requestId = 1): Buffer {
  const h = Buffer.alloc(16);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(requestId, 4);
  h.writeInt32LE(0, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

function opMsg(body: Record<string, unknown>, requestId = 1): Buffer {
  const doc = Buffer.from(serialize(body));
  const payload = Buffer.concat([Buffer.alloc(4), Buffer.from([0]), doc]);
  return Buffer.concat([header(16 + payload.length, OP_MSG, requestId), payload]);
}

interface FuzzCase {
  readonly kind: string;
  readonly bytes: Buffer;
  // Half-close after writing, for frames a server may legitimately wait to complete.
  readonly end: boolean;
}

function makeCases(rand: () => number): FuzzCase[] {
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(0, 255)));
  const knownOps = new Set([1, 2001, 2002, 2004, 2005, 2006, 2007, 2010, 2011, 2012, 2013]);
  const valid = opMsg({ ping: 1, $db: 'admin' });

  const generators: (() => FuzzCase)[] = [
    () => ({ kind: 'random bytes', bytes: bytes(int(1, 600)), end: true }),
    () => ({ kind: 'truncated', bytes: valid.subarray(0, int(1, valid.length - 1)), end: true }),
    () => ({
      kind: 'huge length',
      bytes: header(int(MAX_MESSAGE + 1, 0x7fffffff), OP_MSG),
      end: false,
    }),
    () => ({ kind: 'negative length', bytes: header(-int(1, 0x7fffffff), OP_MSG), end: false }),
    () => ({ kind: 'length below header', bytes: header(int(0, 15), OP_MSG), end: false }),
    () => {
      let op = int(0, 0xffff);
      while (knownOps.has(op)) op = int(0, 0xffff);
      const body = bytes(int(0, 64));
      return {
        kind: `unknown opcode ${op}`,
        bytes: Buffer.concat([header(16 + body.length, op), body]),
        end: false,
      };
    },
    () => {
      // OP_MSG frames whose sections cannot be valid.
      const variants: Buffer[] = [
        Buffer.concat([Buffer.alloc(4), Buffer.from([int(3, 255)]), bytes(int(0, 40))]),
        Buffer.concat([
          Buffer.alloc(4),
          Buffer.from([0]),
          Buffer.from([0xff, 0xff, 0, 0]),
          bytes(8),
        ]),
        Buffer.concat([Buffer.alloc(4), Buffer.from([0]), bytes(int(5, 40))]),
        Buffer.concat([Buffer.alloc(4), Buffer.from([1, 0xff, 0xff, 0xff, 0x7f]), bytes(4)]),
        // An unknown *required* flag bit (bits 0-15 must be understood), then a valid body.
        Buffer.concat([
          Buffer.from([0x20, 0, 0, 0, 0]),
          Buffer.from(serialize({ ping: 1, $db: 'admin' })),
        ]),
        Buffer.alloc(4), // flags only, no body section
      ];
      const payload = variants[int(0, variants.length - 1)] ?? Buffer.alloc(0);
      return {
        kind: 'OP_MSG garbage sections',
        bytes: Buffer.concat([header(16 + payload.length, OP_MSG), payload]),
        end: false,
      };
    },
  ];
  return Array.from({ length: ITERATIONS }, () => {
    const gen = generators[int(0, generators.length - 1)];
    if (gen === undefined) throw new Error('unreachable');
    return gen();
  });
}

/** Sends `bytes` on a fresh connection; resolves with whether the server closed it in time. */
function sendAndAwaitClose(
  port: number,
  c: FuzzCase | { bytes: Buffer; end: boolean; tail?: Buffer },
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, CLOSE_TIMEOUT_MS);
    // The server may reset the connection while we still write: that is a close too.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.on('data', () => undefined);
    socket.on('connect', () => {
      socket.write(c.bytes);
      if ('tail' in c && c.tail !== undefined) socket.write(c.tail);
      if (c.end) socket.end();
    });
  });
}

/** Sends one well-formed OP_MSG and returns the decoded reply body, keeping the socket open. */
function roundTrip(port: number, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no reply'));
    }, CLOSE_TIMEOUT_MS);
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('server closed a well-formed request')));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 4 || buf.length < buf.readInt32LE(0)) return;
      clearTimeout(timer);
      assert.equal(buf.readInt32LE(8), 77, 'responseTo echoes our requestID');
      assert.equal(buf.readInt32LE(12), OP_MSG);
      assert.equal(buf[20], 0, 'section kind 0');
      const reply = deserialize(buf.subarray(21, buf.readInt32LE(0)));
      socket.removeAllListeners('close');
      socket.destroy();
      resolve(reply);
    });
    socket.on('connect', () => socket.write(opMsg(body, 77)));
  });
}

/** Writes `chunks` one by one (yielding between them) and collects complete OP_MSG replies. */
function exchange(
  port: number,
  chunks: Buffer[],
  wanted: number,
): Promise<{ replies: { responseTo: number; body: Record<string, unknown> }[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const replies: { responseTo: number; body: Record<string, unknown> }[] = [];
    let buf = Buffer.alloc(0);
    let closed = false;
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ replies, closed });
    };
    const timer = setTimeout(finish, CLOSE_TIMEOUT_MS);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= buf.readInt32LE(0)) {
        const len = buf.readInt32LE(0);
        replies.push({ responseTo: buf.readInt32LE(8), body: deserialize(buf.subarray(21, len)) });
        buf = buf.subarray(len);
      }
      if (replies.length >= wanted && wanted > 0) finish();
    });
    socket.on('connect', () => {
      void (async () => {
        for (const c of chunks) {
          if (socket.destroyed) return;
          socket.write(c);
          await new Promise((r) => setImmediate(r));
        }
      })().catch(reject);
    });
  });
}

/** Sends `bytes` on a fresh connection; resolves with what the server did first. */
function replyOrClose(port: number, bytes: Buffer): Promise<'reply' | 'close' | 'timeout'> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    const done = (outcome: 'reply' | 'close' | 'timeout'): void => {
      clearTimeout(timer);
      socket.removeAllListeners('close');
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done('timeout'), CLOSE_TIMEOUT_MS);
    socket.on('error', () => undefined);
    socket.on('close', () => done('close'));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 4 && buf.length >= buf.readInt32LE(0)) done('reply');
    });
    socket.on('connect', () => socket.write(bytes));
  });
}

/** Well-framed requests whose BSON body has a few bytes flipped. */
function mutatedRequests(rand: () => number, count: number): Buffer[] {
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const templates = [
    opMsg({
      insert: 'mutants',
      documents: [{ a: 1, s: 'text', arr: [1, 'two', { three: 3 }], d: new Date(0), n: null }],
      $db: 'fuzz',
    }),
    opMsg({ find: 'mutants', filter: { a: { $gte: 1 }, s: { $in: ['x', 'y'] } }, $db: 'fuzz' }),
    opMsg({
      update: 'mutants',
      updates: [{ q: { a: 1 }, u: { $inc: { a: 1 }, $push: { arr: 9 } }, upsert: true }],
      $db: 'fuzz',
    }),
  ];
  return Array.from({ length: count }, () => {
    const msg = Buffer.from(templates[int(0, templates.length - 1)] ?? Buffer.alloc(0));
    // Leave the 16-byte header, flags and section kind intact: only the BSON is damaged.
    for (let k = int(1, 4); k > 0; k--) msg[int(21, msg.length - 1)] = int(0, 255);
    return msg;
  });
}

describe(`wire fuzzing (seed ${SEED})`, { skip: devstackOnly }, () => {
  let t: Target;
  let port: number;
  before(async () => {
    t = await openTarget('fuzz');
    port = Number(new URL(t.uri).port);
    await t.db.collection('canary').insertOne({ alive: true });
  });
  after(async () => {
    await t.close();
  });

  const driverStillWorks = async (): Promise<void> => {
    assert.equal((await t.db.command({ ping: 1 })).ok, 1);
    const doc = await t.db.collection('canary').findOne({}, { projection: { _id: 0 } });
    assert.deepEqual(doc, { alive: true });
  };

  it('answers a well-formed raw OP_MSG (positive control for the framing below)', async () => {
    const reply = await roundTrip(port, { ping: 1, $db: 'admin' });
    assert.equal(reply.ok, 1);
  });

  it('answers pipelined requests in order, even when they share one TCP write', async () => {
    const msgs = [1, 2, 3, 4, 5].map((id) => opMsg({ ping: 1, $db: 'admin' }, 100 + id));
    const { replies } = await exchange(port, [Buffer.concat(msgs)], 5);
    assert.deepEqual(
      replies.map((r) => [r.responseTo, r.body.ok]),
      [1, 2, 3, 4, 5].map((id) => [100 + id, 1]),
    );
  });

  it('reassembles a request that arrives one byte at a time', async () => {
    const msg = opMsg({ ping: 1, $db: 'admin' }, 321);
    const bytes = [...msg].map((b) => Buffer.from([b]));
    const { replies } = await exchange(port, bytes, 1);
    assert.equal(replies[0]?.responseTo, 321);
    assert.equal(replies[0]?.body.ok, 1);
  });

  it('answers a valid request, then closes on the garbage that follows it', async () => {
    const { replies, closed } = await exchange(
      port,
      [Buffer.concat([opMsg({ ping: 1, $db: 'admin' }, 9), header(-5, OP_MSG)])],
      0,
    );
    assert.equal(replies[0]?.responseTo, 9);
    assert.ok(closed, 'the connection was closed after the bad header');
  });

  it(`closes each of ${ITERATIONS} malformed connections; the driver keeps working`, async () => {
    const cases = makeCases(prng(SEED));
    for (let i = 0; i < cases.length; i += PARALLEL) {
      const batch = cases.slice(i, i + PARALLEL);
      const closed = await Promise.all(batch.map((c) => sendAndAwaitClose(port, c)));
      closed.forEach((ok, j) => {
        const c = batch[j];
        assert.ok(
          ok,
          `case #${i + j} (${c?.kind}) not closed within ${CLOSE_TIMEOUT_MS} ms: ` +
            `${c?.bytes.subarray(0, 48).toString('hex')} (seed ${SEED})`,
        );
      });
      await driverStillWorks();
    }
  });

  it('answers or closes each of 200 requests with damaged BSON; never hangs or crashes', async (tc) => {
    const msgs = mutatedRequests(prng(SEED + 1), 200);
    const outcomes = { reply: 0, close: 0, timeout: 0 };
    for (let i = 0; i < msgs.length; i += PARALLEL) {
      const batch = msgs.slice(i, i + PARALLEL);
      const results = await Promise.all(batch.map((m) => replyOrClose(port, m)));
      results.forEach((r, j) => {
        outcomes[r]++;
        assert.notEqual(
          r,
          'timeout',
          `mutant #${i + j} got neither reply nor close: ${batch[j]?.toString('hex')} (seed ${SEED})`,
        );
      });
      await driverStillWorks();
    }
    tc.diagnostic(`outcomes: ${JSON.stringify(outcomes)}`);
  });

  it('closes a connection announcing a message over maxMessageSizeBytes without buffering it', async () => {
    const started = Date.now();
    const closed = await sendAndAwaitClose(port, {
      bytes: header(MAX_MESSAGE + 1, OP_MSG),
      tail: Buffer.alloc(1024 * 1024),
      end: false,
    });
    assert.ok(closed, 'server closed the oversized message');
    assert.ok(Date.now() - started < CLOSE_TIMEOUT_MS);
    await driverStillWorks();
  });

  it('still accepts new clients after the fuzzing', async () => {
    const fresh = await t.connect();
    assert.equal((await fresh.db('admin').command({ ping: 1 })).ok, 1);
    const reply = await roundTrip(port, { ping: 1, $db: 'admin' });
    assert.equal(reply.ok, 1);
  });
});
