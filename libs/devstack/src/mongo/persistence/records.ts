// Journal records: [uint32 length][uint32 CRC-32C][BSON body]. Reading stops at the first
// incomplete or corrupt record, which is how a tail torn by kill -9 is tolerated.
import { BSON, type Document } from 'bson';
import { crc32c } from '../../shared/crc32c.js';

export type JournalRecord =
  | { o: 'put'; ns: string; d: Document }
  | { o: 'del'; ns: string; id: unknown }
  | { o: 'cc'; ns: string; options: Document }
  | { o: 'dc'; ns: string }
  | { o: 'ci'; ns: string; spec: Document }
  | { o: 'di'; ns: string; name: string };

const HEAD = 8;
const DESERIALIZE = { promoteValues: false, promoteBuffers: false } as const;

export function encodeRecord(rec: JournalRecord): Buffer {
  const body = BSON.serialize(rec);
  const out = Buffer.allocUnsafe(HEAD + body.length);
  out.writeUInt32LE(body.length, 0);
  out.writeUInt32LE(crc32c(body), 4);
  out.set(body, HEAD);
  return out;
}

/** Decodes complete records; `validLength` is where the last good one ends. */
export function decodeRecords(buf: Buffer): { records: JournalRecord[]; validLength: number } {
  const records: JournalRecord[] = [];
  let offset = 0;
  while (offset + HEAD <= buf.length) {
    const len = buf.readUInt32LE(offset);
    const end = offset + HEAD + len;
    if (len < 5 || end > buf.length) break;
    const body = buf.subarray(offset + HEAD, end);
    if (crc32c(body) !== buf.readUInt32LE(offset + 4)) break;
    try {
      records.push(BSON.deserialize(body, DESERIALIZE) as JournalRecord);
    } catch {
      break;
    }
    offset = end;
  }
  return { records, validLength: offset };
}
