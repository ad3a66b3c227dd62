// The terminal QR reader the CLI e2e relies on, against the API's own half-block rendering: a
// decoder that cannot read a known-good code would make the CLI's QR test meaningless.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { qrMatrix, renderHalfBlocks } from '../../../apps/api/src/modules/pairing/qr-renderer.js';
import { decodeTerminalQr, modulesOf, modulesToPbm, qrLines } from './terminal-qr.js';

const URL_TEXT = 'http://127.0.0.1:39999/pair#Zq3mX8vT2kR9bYcLw4n1AeHs0uPjDfGi5oNtQyWr7xE';

describe('terminal QR reader', () => {
  it('finds the code among other lines and ANSI colours, and decodes it to the exact text', async () => {
    const blocks = renderHalfBlocks(qrMatrix(URL_TEXT));
    const printed =
      '\u001b[1mScan with your phone\u001b[0m\n\n' +
      blocks
        .split('\n')
        .map((line) => (line === '' ? line : `\u001b[97;40m${line}\u001b[0m`))
        .join('\n') +
      `\nCode: BCDF-GHJK\n${URL_TEXT}\n`;
    assert.equal(qrLines(printed).length, blocks.split('\n').length - 1);
    assert.equal(await decodeTerminalQr(printed), URL_TEXT);
  });

  it('inverted colours do not decode (blank = dark is the convention, not a guess)', async () => {
    const blocks = renderHalfBlocks(qrMatrix(URL_TEXT));
    const swap: Record<string, string> = { '█': ' ', ' ': '█', '▀': '▄', '▄': '▀' };
    const inverted = [...blocks].map((ch) => swap[ch] ?? ch).join('');
    await assert.rejects(decodeTerminalQr(inverted));
  });

  it('draws each module as scale × scale pixels inside a white quiet zone', () => {
    const pbm = modulesToPbm(modulesOf(['█ ']), 2, 1);
    // 2 columns + 2 quiet = 4 modules = 8 px wide; 2 rows + 2 quiet = 8 px tall.
    const header = 'P4\n8 8\n';
    assert.equal(pbm.subarray(0, header.length).toString('ascii'), header);
    const rows = [...pbm.subarray(header.length)];
    // Only the dark module (row 0-1 and 1, column 1) is black: pixels 4-5 of rows 2-5.
    assert.deepEqual(rows, [0, 0, 0b00001100, 0b00001100, 0b00001100, 0b00001100, 0, 0]);
  });
});
