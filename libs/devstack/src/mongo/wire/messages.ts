// Parsing of the two request opcodes we accept (OP_MSG, and OP_QUERY for the legacy handshake)
// and building of their replies (OP_MSG, OP_REPLY).
import { BSON, type Document } from 'bson';
import { crc32c } from '../../shared/crc32c.js';
import { HEADER_SIZE } from './framing.js';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;

const CHECKSUM_PRESENT = 1 << 0;
export const MORE_TO_COME = 1 << 1;
const EXHAUST_ALLOWED = 1 << 16;
// Bits 0–15 are "required": an unknown one among them means we cannot process the message.
const KNOWN_REQUIRED_BITS = CHECKSUM_PRESENT | MORE_TO_COME;

// Int32/Int64/Double/Decimal128 stay bson classes so the engine can keep their exact type.
const DESERIALIZE = { promoteValues: false, promoteBuffers: false, bsonRegExp: false } as const;

export class ProtocolError extends Error {}

export interface MsgRequest {
  kind: 'msg';
  requestId: number;
  moreToCome: boolean;
  command: Document;
}

export interface QueryRequest {
  kind: 'query';
  requestId: number;
  collection: string;
  query: Document;
}

export type WireRequest = MsgRequest | QueryRequest;

export function parseMessage(buf: Buffer): WireRequest {
  const length = buf.readInt32LE(0);
  if (length !== buf.length) throw new ProtocolError('length mismatch');
  const requestId = buf.readInt32LE(4);
  const opCode = buf.readInt32LE(12);
  if (opCode === OP_MSG) return parseOpMsg(buf, requestId);
  if (opCode === OP_QUERY) return parseOpQuery(buf, requestId);
  throw new ProtocolError(`unsupported opCode ${opCode}`);
}

function readDoc(buf: Buffer, offset: number, end: number): [Document, number] {
  if (offset + 5 > end) throw new ProtocolError('truncated document');
  const size = buf.readInt32LE(offset);
  if (size < 5 || offset + size > end) throw new ProtocolError('invalid document size');
  try {
    const doc = BSON.deserialize(buf.subarray(offset, offset + size), DESERIALIZE);
    return [doc, offset + size];
  } catch (err) {
    throw new ProtocolError(`invalid BSON: ${(err as Error).message}`);
  }
}

function parseOpMsg(buf: Buffer, requestId: number): MsgRequest {
  if (buf.length < HEADER_SIZE + 5) throw new ProtocolError('OP_MSG too short');
  const flags = buf.readUInt32LE(HEADER_SIZE);
  if ((flags & 0xffff & ~KNOWN_REQUIRED_BITS) !== 0) {
    throw new ProtocolError(`unknown required OP_MSG flag bits ${flags}`);
  }
  let end = buf.length;
  if (flags & CHECKSUM_PRESENT) {
    end -= 4;
    if (end < HEADER_SIZE + 5) throw new ProtocolError('OP_MSG too short for checksum');
    if (crc32c(buf.subarray(0, end)) !== buf.readUInt32LE(end))
      throw new ProtocolError('bad checksum');
  }
  let offset = HEADER_SIZE + 4;
  let body: Document | undefined;
  const sequences: [string, Document[]][] = [];
  while (offset < end) {
    const kind = buf[offset++];
    if (kind === 0) {
      if (body) throw new ProtocolError('more than one body section');
      [body, offset] = readDoc(buf, offset, end);
    } else if (kind === 1) {
      if (offset + 4 > end) throw new ProtocolError('truncated sequence');
      const size = buf.readInt32LE(offset);
      const seqEnd = offset + size;
      if (size < 5 || seqEnd > end) throw new ProtocolError('invalid sequence size');
      const nul = buf.indexOf(0, offset + 4);
      if (nul < 0 || nul >= seqEnd) throw new ProtocolError('invalid sequence identifier');
      const id = buf.toString('utf8', offset + 4, nul);
      offset = nul + 1;
      const docs: Document[] = [];
      while (offset < seqEnd) {
        let doc: Document;
        [doc, offset] = readDoc(buf, offset, seqEnd);
        docs.push(doc);
      }
      sequences.push([id, docs]);
    } else {
      throw new ProtocolError(`unknown section kind ${kind}`);
    }
  }
  if (!body) throw new ProtocolError('OP_MSG without body');
  for (const [id, docs] of sequences) {
    if (id in body) throw new ProtocolError(`duplicate field ${id}`);
    body[id] = docs;
  }
  return { kind: 'msg', requestId, moreToCome: (flags & MORE_TO_COME) !== 0, command: body };
}

function parseOpQuery(buf: Buffer, requestId: number): QueryRequest {
  let offset = HEADER_SIZE + 4;
  const nul = buf.indexOf(0, offset);
  if (nul < 0) throw new ProtocolError('invalid collection name');
  const collection = buf.toString('utf8', offset, nul);
  offset = nul + 1 + 8; // numberToSkip, numberToReturn
  const [query] = readDoc(buf, offset, buf.length);
  return { kind: 'query', requestId, collection, query };
}

let nextRequestId = 1;

function header(length: number, responseTo: number, opCode: number): Buffer {
  const h = Buffer.allocUnsafe(HEADER_SIZE);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  h.writeInt32LE(responseTo, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

export function encodeMsgReply(responseTo: number, body: Uint8Array): Buffer {
  const length = HEADER_SIZE + 4 + 1 + body.length;
  const flags = Buffer.alloc(5); // flagBits 0, then section kind 0
  return Buffer.concat([header(length, responseTo, OP_MSG), flags, body], length);
}

export function encodeQueryReply(responseTo: number, body: Uint8Array): Buffer {
  const length = HEADER_SIZE + 20 + body.length;
  const fields = Buffer.alloc(20);
  fields.writeInt32LE(8, 0); // AwaitCapable
  fields.writeInt32LE(1, 16); // numberReturned (cursorID and startingFrom stay 0)
  return Buffer.concat([header(length, responseTo, OP_REPLY), fields, body], length);
}

export { EXHAUST_ALLOWED };
