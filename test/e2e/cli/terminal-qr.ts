// Reads a QR code back from what a terminal program printed: the Unicode half blocks of
// GET …/qr?format=txt (each character 1 module wide and 2 tall, upper and lower halves; a drawn
// half is a light module, as on a light-on-dark terminal), possibly with ANSI escapes and other
// lines around it. The modules are drawn ×8 into a PBM with an extra white quiet zone and decoded
// with zbarimg, as a phone camera would read the screen.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BLOCKS = new Set(['█', '▀', '▄', ' ']);
const ANSI = new RegExp(String.raw`\u001b\[[0-9;?]*[ -/]*[@-~]`, 'g');

/** The terminal text without ANSI escape sequences (colours, cursor moves). */
export const stripAnsi = (text: string): string => text.replace(ANSI, '');

const isBlockLine = (line: string): boolean =>
  /[█▀▄]/.test(line) && [...line].every((ch) => BLOCKS.has(ch));

/** The longest run of consecutive lines made only of half blocks and spaces (the QR code). */
export function qrLines(terminalText: string): string[] {
  const lines = stripAnsi(terminalText).replace(/\r/g, '').split('\n');
  let best: string[] = [];
  let current: string[] = [];
  for (const line of lines) {
    if (isBlockLine(line)) {
      current.push(line);
      if (current.length > best.length) best = current;
    } else {
      current = [];
    }
  }
  return best;
}

/** Light modules (true), row by row: two module rows per text line. */
export function modulesOf(lines: string[]): boolean[][] {
  const rows: boolean[][] = [];
  for (const line of lines) {
    const chars = [...line];
    rows.push(chars.map((ch) => ch === '█' || ch === '▀'));
    rows.push(chars.map((ch) => ch === '█' || ch === '▄'));
  }
  return rows;
}

/** A binary PBM (P4; 1 = black) of the modules, `scale` px each, inside `quiet` white modules. */
export function modulesToPbm(modules: boolean[][], scale = 8, quiet = 4): Buffer {
  const columns = Math.max(...modules.map((row) => row.length));
  const width = (columns + 2 * quiet) * scale;
  const height = (modules.length + 2 * quiet) * scale;
  const rowBytes = Math.ceil(width / 8);
  const pixels = Buffer.alloc(rowBytes * height); // all 0: white
  for (let y = 0; y < height; y++) {
    const row = modules[Math.floor(y / scale) - quiet];
    if (row === undefined) continue;
    for (let x = 0; x < width; x++) {
      const column = Math.floor(x / scale) - quiet;
      if (column < 0 || column >= columns) continue;
      // Dark module (or a missing cell at the end of a short line): black.
      if (row[column] !== true) {
        const at = y * rowBytes + (x >> 3);
        pixels[at] = (pixels[at] ?? 0) | (0x80 >> (x & 7));
      }
    }
  }
  return Buffer.concat([Buffer.from(`P4\n${String(width)} ${String(height)}\n`, 'ascii'), pixels]);
}

/** What the QR code printed in `terminalText` says, decoded by zbarimg. */
export async function decodeTerminalQr(terminalText: string): Promise<string> {
  const lines = qrLines(terminalText);
  if (lines.length === 0) throw new Error(`no QR code in the output:\n${terminalText}`);
  const dir = await mkdtemp(join(tmpdir(), 'sx-cli-qr-'));
  try {
    const pbm = join(dir, 'qr.pbm');
    await writeFile(pbm, modulesToPbm(modulesOf(lines)));
    const { stdout } = await run('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', pbm], {
      timeout: 20_000,
      encoding: 'utf8',
    });
    return stdout.endsWith('\n') ? stdout.slice(0, -1) : stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
