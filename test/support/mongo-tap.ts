// A TCP proxy in front of MongoDB that records the command of every message a client sends and,
// for writes, what the server answered, for tests that check from the database side what a
// process did (a paused worker changes nothing after it wakes).
//
//   const tap = await startMongoTap({ host: '127.0.0.1', port: 27017 });
//   ... point the app's MONGODB_URI at tap.uri('db') ...
//   tap.writesSince(t)     // insert / update / delete / findAndModify … received at or after t
//   tap.changesSince(t)    // those of them the server says changed something (or cannot tell)
//   await tap.close();
//
// Bytes pass through unchanged and at once, both ways; both streams are parsed on the side as
// wire messages (reassembled across TCP chunks). Only OP_MSG is read inside: OP_QUERY (the
// legacy hello handshake) and OP_COMPRESSED are recorded as 'op_query' and 'op_compressed'.
// Drivers compress only when the URI asks for it (`compressors`). A write's command document
// and its reply (paired by requestID / responseTo on the same connection) are decoded as BSON;
// other commands' bodies and replies are not.
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { BSON, type Document } from 'mongodb';
import type { FaultProxyTarget } from './fault-proxy.js';
import { changeOf, writeReplyOf, type TappedWrite } from './mongo-tap-outcomes.js';

export interface TappedCommand extends TappedWrite {
  /** Date.now() when the message's last byte arrived. */
  at: number;
  /** The command (the body's first field: 'insert', 'find', 'hello'…), or 'op_query' / 'op_compressed'. */
  command: string;
  /** The collection, when the command field's value is a string (insert: 'a' → 'a'). */
  collection?: string;
  /** Which client connection sent it (1, 2, … in order of connecting). */
  connection: number;
  /** The message's requestID, which the server's reply names as its responseTo. */
  requestId: number;
}

export interface MongoTap {
  host: string;
  port: number;
  /** `mongodb://host:port/<database>?directConnection=true`: the driver stays on the tap. */
  uri(database: string): string;
  /** Every message so far, in arrival order across connections. */
  commands: TappedCommand[];
  /**
   * Messages received at or after `at` that write: insert, update, delete, findAndModify,
   * bulkWrite, index and collection changes, an aggregate with $out / $merge, and any
   * compressed message (the tap cannot see inside it, so it cannot vouch that it only read).
   */
  writesSince(at: number): TappedCommand[];
  /**
   * Writes received at or after `at` that changed something by the server's reply: inserted,
   * modified, upserted or deleted a document (`n`, `nModified`, `upserted`, findAndModify's
   * `lastErrorObject.n`), or a DDL command that succeeded. A write the tap cannot vouch for (no
   * reply yet or ever, compressed) is included too: see `changeOf`.
   */
  changesSince(at: number): TappedCommand[];
  /** Writes received at or after `at` whose reply has not come (yet). */
  unansweredSince(at: number): TappedCommand[];
  close(): Promise<void>;
}

const OP_QUERY = 2004;
const OP_COMPRESSED = 2012;
const OP_MSG = 2013;
const HEADER_BYTES = 16;
// MongoDB refuses messages over 48 MB; a larger length means the stream is not what we think.
const MAX_MESSAGE_BYTES = 48 * 1024 * 1024;
const CHECKSUM_PRESENT = 1;
// The sender expects no reply (an unacknowledged write): its outcome stays unknown.
const MORE_TO_COME = 2;
const BSON_STRING = 0x02;

const WRITE_COMMANDS = new Set([
  'insert',
  'update',
  'delete',
  'findAndModify',
  'findandmodify',
  'bulkWrite',
  'create',
  'createIndexes',
  'drop',
  'dropDatabase',
  'dropIndexes',
  'renameCollection',
  'collMod',
  'commitTransaction',
]);
// Element names are NUL-terminated: a pipeline stage `$out` or `$merge` shows as these bytes.
const WRITING_STAGES = [Buffer.from('$out\0'), Buffer.from('$merge\0')];

function cstring(buf: Buffer, at: number): { value: string; end: number } | undefined {
  const nul = buf.indexOf(0, at);
  if (nul < 0) return undefined;
  return { value: buf.toString('utf8', at, nul), end: nul + 1 };
}

/** The command name and string value of the first element of the BSON document at `at`. */
function firstElement(buf: Buffer, at: number): { command: string; collection?: string } | null {
  const type = buf[at + 4];
  const name = cstring(buf, at + 5);
  if (type === undefined || type === 0 || name === undefined) return null;
  if (type !== BSON_STRING || name.end + 4 > buf.length) return { command: name.value };
  const length = buf.readInt32LE(name.end);
  if (length < 1 || name.end + 4 + length > buf.length) return { command: name.value };
  return {
    command: name.value,
    collection: buf.toString('utf8', name.end + 4, name.end + 4 + length - 1),
  };
}

/** Command of one OP_MSG (`frame`: the whole message, header included). */
export function opMsgCommand(frame: Buffer): { command: string; collection?: string } | null {
  const flags = frame.readUInt32LE(HEADER_BYTES);
  const end = frame.length - ((flags & CHECKSUM_PRESENT) !== 0 ? 4 : 0);
  let at = HEADER_BYTES + 4;
  while (at < end) {
    const kind = frame[at];
    const size = at + 5 <= end ? frame.readInt32LE(at + 1) : 0;
    if (size < 5) return null;
    // Kind 0: the body, one document (the command). Kind 1: a document sequence (size,
    // identifier, documents) that carries bulk payloads such as `documents` of an insert.
    if (kind === 0) return firstElement(frame, at + 1);
    if (kind !== 1) return null;
    at += 1 + size;
  }
  return null;
}

/**
 * The command document of one OP_MSG, with its document sequences (kind 1: `documents` of an
 * insert, `updates`, `deletes`) folded in under their identifiers, as the server sees it. Null if
 * the message cannot be read.
 */
export function opMsgDocument(frame: Buffer): Document | null {
  const flags = frame.readUInt32LE(HEADER_BYTES);
  const end = frame.length - ((flags & CHECKSUM_PRESENT) !== 0 ? 4 : 0);
  let body: Document | null = null;
  const sequences: [string, Document[]][] = [];
  try {
    let at = HEADER_BYTES + 4;
    while (at < end) {
      const kind = frame[at];
      const size = frame.readInt32LE(at + 1);
      if (kind === 0) {
        body = BSON.deserialize(frame.subarray(at + 1, at + 1 + size));
      } else if (kind === 1) {
        const id = cstring(frame, at + 5);
        if (id === undefined) return null;
        const docs: Document[] = [];
        for (let d = id.end; d < at + 1 + size;) {
          const length = frame.readInt32LE(d);
          docs.push(BSON.deserialize(frame.subarray(d, d + length)));
          d += length;
        }
        sequences.push([id.value, docs]);
      } else return null;
      at += 1 + size;
    }
  } catch {
    return null;
  }
  if (body === null) return null;
  for (const [id, docs] of sequences) body[id] = docs;
  return body;
}

/** Splits a byte stream into wire messages, however the chunks cut it. */
export class MessageSplitter {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private broken = false;

  constructor(private readonly onMessage: (frame: Buffer) => void) {}

  push(chunk: Buffer): void {
    if (this.broken) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      const length = this.peekLength();
      if (length < HEADER_BYTES || length > MAX_MESSAGE_BYTES) {
        // Not MongoDB's framing: stop reading, keep forwarding.
        this.broken = true;
        this.chunks = [];
        return;
      }
      if (this.buffered < length) return;
      this.onMessage(this.take(length));
    }
  }

  private peekLength(): number {
    const first = this.chunks[0];
    if (first.length >= 4) return first.readInt32LE(0);
    return Buffer.concat(this.chunks).readInt32LE(0);
  }

  private take(length: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const frame = all.subarray(0, length);
    const rest = all.subarray(length);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return frame;
  }
}

/** Starts a tap on 127.0.0.1:<free port> in front of `target`. */
export async function startMongoTap(target: FaultProxyTarget): Promise<MongoTap> {
  const commands: TappedCommand[] = [];
  // Aggregations with a writing stage, told apart from those that only read.
  const writingAggregates = new WeakSet<TappedCommand>();
  const open = new Set<Socket>();
  let connections = 0;

  const track = (socket: Socket): Socket => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => undefined);
    return socket;
  };

  const isWrite = (c: TappedCommand): boolean =>
    WRITE_COMMANDS.has(c.command) || c.command === 'op_compressed' || writingAggregates.has(c);

  /** Records one client message; a write that expects a reply waits for it in `awaiting`. */
  const record = (frame: Buffer, connection: number, awaiting: Map<number, TappedCommand>) => {
    const opCode = frame.readInt32LE(12);
    const base = { at: Date.now(), connection, requestId: frame.readInt32LE(4) };
    if (opCode === OP_QUERY) commands.push({ ...base, command: 'op_query' });
    else if (opCode === OP_COMPRESSED) commands.push({ ...base, command: 'op_compressed' });
    else if (opCode === OP_MSG) {
      const parsed = opMsgCommand(frame);
      if (parsed === null) return;
      const entry: TappedCommand = { ...base, ...parsed };
      if (parsed.command === 'aggregate' && WRITING_STAGES.some((s) => frame.includes(s))) {
        writingAggregates.add(entry);
      }
      commands.push(entry);
      if (!isWrite(entry)) return;
      entry.body = opMsgDocument(frame) ?? undefined;
      if ((frame.readUInt32LE(HEADER_BYTES) & MORE_TO_COME) === 0) {
        awaiting.set(entry.requestId, entry);
      }
    }
  };

  /** Pairs one server message with the write it answers, if it answers one. */
  const answer = (frame: Buffer, awaiting: Map<number, TappedCommand>) => {
    const entry = awaiting.get(frame.readInt32LE(8));
    if (entry === undefined) return;
    awaiting.delete(entry.requestId);
    // A compressed or unreadable reply leaves the outcome unknown, which counts as a change.
    if (frame.readInt32LE(12) !== OP_MSG) return;
    const doc = opMsgDocument(frame);
    if (doc !== null) entry.reply = writeReplyOf(doc, Date.now());
  };

  const server = createServer((client) => {
    track(client);
    const connection = ++connections;
    const awaiting = new Map<number, TappedCommand>();
    const upstream = track(connect(target.port, target.host));
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    const requests = new MessageSplitter((frame) => record(frame, connection, awaiting));
    const replies = new MessageSplitter((frame) => answer(frame, awaiting));
    client.on('data', (chunk: Buffer) => {
      // Backpressure as pipe() would: a slow server holds the client back instead of memory.
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
      requests.push(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('data', (chunk: Buffer) => replies.push(chunk));
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = '127.0.0.1';
  const writesSince = (at: number) => commands.filter((c) => c.at >= at && isWrite(c));

  return {
    host,
    port,
    uri: (database) => `mongodb://${host}:${String(port)}/${database}?directConnection=true`,
    commands,
    writesSince,
    changesSince: (at) => writesSince(at).filter((c) => changeOf(c) !== 'unchanged'),
    unansweredSince: (at) => writesSince(at).filter((c) => c.reply === undefined),
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
