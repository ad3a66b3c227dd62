import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  QR_MARGIN,
  QR_SCALE,
  qrMatrix,
  renderHalfBlocks,
  renderQr,
  type QrMatrix,
} from './qr-renderer.js';

const URL = 'http://localhost:3000/pair#0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';

// A 2×3 symbol: dark modules at (0,0), (1,1) and (0,2), (1,2).
const tiny: QrMatrix = {
  size: 3,
  isDark: (row, col) =>
    [
      [true, false, true],
      [false, true, true],
      [false, false, false],
    ][row]?.[col] ?? false,
};

/** Reads half blocks back into light/dark module rows (light = foreground). */
function parseHalfBlocks(text: string): boolean[][] {
  const rows: boolean[][] = [];
  for (const line of text.split('\n').slice(0, -1)) {
    const upper: boolean[] = [];
    const lower: boolean[] = [];
    for (const ch of line) {
      upper.push(ch === '█' || ch === '▀');
      lower.push(ch === '█' || ch === '▄');
    }
    rows.push(upper, lower);
  }
  return rows;
}

describe('QR rendering', () => {
  it('draws two module rows per line, light in the foreground, with the quiet zone', () => {
    // extent 5: 5 columns, 3 lines; the last line's lower half is quiet zone too.
    assert.equal(renderHalfBlocks(tiny, 1), '█▀█▀█\n██▄▄█\n█████\n');
  });

  it('sizes the text as (modules + 8) columns by ceil((modules + 8) / 2) lines', () => {
    const matrix = qrMatrix(URL);
    const text = renderHalfBlocks(matrix);
    assert.ok(text.endsWith('\n'));
    const lines = text.slice(0, -1).split('\n');
    const extent = matrix.size + 2 * QR_MARGIN;
    assert.equal(lines.length, Math.ceil(extent / 2));
    for (const line of lines) assert.equal([...line].length, extent);
    assert.match(text, /^[█▀▄ \n]+$/u);
  });

  it('keeps every module of the symbol in the text', () => {
    const matrix = qrMatrix(URL);
    const rows = parseHalfBlocks(renderHalfBlocks(matrix));
    for (let row = 0; row < matrix.size; row++) {
      for (let col = 0; col < matrix.size; col++) {
        const light = rows[row + QR_MARGIN]?.[col + QR_MARGIN];
        assert.equal(light, !matrix.isDark(row, col), `module ${String(row)},${String(col)}`);
      }
    }
  });

  it('renders a PNG of 8 px per module with a 4-module quiet zone', async () => {
    const { contentType, body } = await renderQr(URL, 'png');
    assert.equal(contentType, 'image/png');
    assert.ok(Buffer.isBuffer(body));
    assert.equal(body.subarray(1, 4).toString('latin1'), 'PNG');
    const width = body.readUInt32BE(16);
    const height = body.readUInt32BE(20);
    const size = qrMatrix(URL).size;
    assert.equal(width, (size + 2 * QR_MARGIN) * QR_SCALE);
    assert.equal(height, width);
  });

  it('renders an SVG with the same nominal size', async () => {
    const { contentType, body } = await renderQr(URL, 'svg');
    assert.equal(contentType, 'image/svg+xml');
    assert.equal(typeof body, 'string');
    const extent = qrMatrix(URL).size + 2 * QR_MARGIN;
    assert.match(String(body), new RegExp(`viewBox="0 0 ${String(extent)} ${String(extent)}"`));
    assert.match(String(body), new RegExp(`width="${String(extent * QR_SCALE)}"`));
  });

  it('answers text/plain in UTF-8 for txt', async () => {
    const { contentType, body } = await renderQr(URL, 'txt');
    assert.equal(contentType, 'text/plain; charset=utf-8');
    assert.equal(body, renderHalfBlocks(qrMatrix(URL)));
  });
});
