// QR decoding helpers for e2e specs: Debian's `zbarimg` (zbar-tools) reads PNGs, `rsvg-convert`
// (librsvg2-bin) rasterizes SVGs, and the terminal rendering is drawn back into a PNG here.
//
//   const url = await decodeQr(await res.arrayBuffer(), 'png');   // or 'svg', 'txt'
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { crc32, deflateSync } from 'node:zlib';

const run = promisify(execFile);
const TOOL_TIMEOUT_MS = 20_000;

export type QrKind = 'png' | 'svg' | 'txt';

/** The text the QR code in `data` holds, exactly (zbarimg --raw adds one newline, removed here). */
export async function decodeQr(data: ArrayBuffer | Buffer | string, kind: QrKind): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sx-qr-'));
  try {
    const png = join(dir, 'qr.png');
    if (kind === 'png') {
      await writeFile(png, toBuffer(data));
    } else if (kind === 'svg') {
      const svg = join(dir, 'qr.svg');
      await writeFile(svg, toBuffer(data));
      await run('rsvg-convert', ['-o', png, svg], { timeout: TOOL_TIMEOUT_MS });
    } else {
      await writeFile(png, halfBlocksToPng(toBuffer(data).toString('utf8')));
    }
    return await zbar(png);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function zbar(png: string): Promise<string> {
  // Only the QR decoder: a stray 1-D barcode reading would muddle the answer.
  const { stdout } = await run('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', png], {
    timeout: TOOL_TIMEOUT_MS,
    encoding: 'utf8',
  });
  return stdout.endsWith('\n') ? stdout.slice(0, -1) : stdout;
}

const toBuffer = (data: ArrayBuffer | Buffer | string): Buffer =>
  typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : Buffer.isBuffer(data)
      ? data
      : Buffer.from(data);

/** Light (foreground) or dark per module, from half-block text: two module rows per line. */
export function halfBlocksToModules(text: string): boolean[][] {
  const rows: boolean[][] = [];
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  for (const line of lines) {
    const upper: boolean[] = [];
    const lower: boolean[] = [];
    for (const ch of line) {
      if (!'█▀▄ '.includes(ch))
        throw new Error(`unexpected character U+${ch.codePointAt(0)?.toString(16) ?? '?'}`);
      upper.push(ch === '█' || ch === '▀');
      lower.push(ch === '█' || ch === '▄');
    }
    rows.push(upper, lower);
  }
  return rows;
}

/**
 * Draws the text as a terminal with a dark background and a light foreground shows it (light
 * modules white, the rest black), `scale` pixels per module, as an 8-bit grayscale PNG.
 */
export function halfBlocksToPng(text: string, scale = 8): Buffer {
  const modules = halfBlocksToModules(text);
  const width = Math.max(...modules.map((row) => row.length)) * scale;
  const height = modules.length * scale;
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = modules[Math.floor(y / scale)] ?? [];
    raw[y * (width + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      raw[y * (width + 1) + 1 + x] = row[Math.floor(x / scale)] === true ? 255 : 0;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit grayscale, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Width and height in pixels from a PNG's IHDR. */
export function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
