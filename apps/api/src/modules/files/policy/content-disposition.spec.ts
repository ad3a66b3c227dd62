import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentDispositionAttachment } from './content-disposition.js';

/** What a user agent reads back: the decoded filename* value. */
function decodedExtValue(header: string): string {
  const match = /; filename\*=UTF-8''([^;\s]*)$/.exec(header);
  assert.ok(match, header);
  return decodeURIComponent(match[1] ?? '');
}

function fallbackOf(header: string): string {
  const match = /^attachment; filename="((?:[^"\\]|\\.)*)"; filename\*=/.exec(header);
  assert.ok(match, header);
  return (match[1] ?? '').replace(/\\(.)/g, '$1');
}

describe('contentDispositionAttachment', () => {
  it('sends an ASCII name unchanged in both forms', () => {
    const header = contentDispositionAttachment('report-2026_v2.pdf');
    assert.equal(
      header,
      `attachment; filename="report-2026_v2.pdf"; filename*=UTF-8''report-2026_v2.pdf`,
    );
  });

  it("percent-encodes spaces and the characters outside attr-char, including ' ( ) *", () => {
    const header = contentDispositionAttachment("it's (final) *draft* 100%.txt");
    assert.equal(
      header,
      `attachment; filename="it's (final) *draft* 100%.txt"; filename*=UTF-8''it%27s%20%28final%29%20%2Adraft%2A%20100%25.txt`,
    );
    assert.equal(decodedExtValue(header), "it's (final) *draft* 100%.txt");
    assert.equal(
      decodedExtValue(contentDispositionAttachment('a=b;c,d@e:f/g?h[i]j{k}l<m>n')),
      'a=b;c,d@e:f/g?h[i]j{k}l<m>n',
    );
    assert.match(
      contentDispositionAttachment('!#$&+-.^_`|~'),
      /filename\*=UTF-8''!#\$&\+-\.\^_`\|~$/,
    );
  });

  it('escapes quotes and backslashes in the fallback', () => {
    const header = contentDispositionAttachment('say "hi"\\there.txt');
    assert.equal(
      header,
      `attachment; filename="say \\"hi\\"\\\\there.txt"; filename*=UTF-8''say%20%22hi%22%5Cthere.txt`,
    );
    assert.equal(fallbackOf(header), 'say "hi"\\there.txt');
    assert.equal(decodedExtValue(header), 'say "hi"\\there.txt');
  });

  it('replaces non-ASCII in the fallback and keeps it exact in filename*', () => {
    const name = 'Überweisung – März.pdf';
    const header = contentDispositionAttachment(name);
    assert.equal(
      header,
      `attachment; filename="_berweisung _ M_rz.pdf"; filename*=UTF-8''%C3%9Cberweisung%20%E2%80%93%20M%C3%A4rz.pdf`,
    );
    assert.equal(decodedExtValue(header), name);

    const cjk = contentDispositionAttachment('写真.jpg');
    assert.equal(cjk, `attachment; filename="__.jpg"; filename*=UTF-8''%E5%86%99%E7%9C%9F.jpg`);
    assert.equal(decodedExtValue(cjk), '写真.jpg');

    const emoji = contentDispositionAttachment('👩‍👩‍👧‍👦.png');
    assert.equal(fallbackOf(emoji), '_______.png'); // one _ per code point
    assert.equal(decodedExtValue(emoji), '👩‍👩‍👧‍👦.png');
  });

  it('keeps the header a single line of visible ASCII whatever the name holds', () => {
    for (const name of [
      'a\r\nSet-Cookie: x=1',
      'tab\there',
      'nul\0',
      '\u202Eexe.png',
      '\uD800lone',
    ]) {
      const header = contentDispositionAttachment(name);
      assert.match(header, /^[\x20-\x7E]+$/, JSON.stringify(name));
      assert.equal(fallbackOf(header).length, Array.from(name).length);
    }
    assert.equal(decodedExtValue(contentDispositionAttachment('\uD800lone')), '\uFFFDlone');
  });

  it('breaks %XX in the fallback so old agents do not decode it', () => {
    const header = contentDispositionAttachment('50%off %41.txt');
    assert.equal(fallbackOf(header), '50%off _41.txt');
    assert.equal(decodedExtValue(header), '50%off %41.txt');
  });

  it('is a bare attachment for an empty name', () => {
    assert.equal(contentDispositionAttachment(''), 'attachment');
  });
});
