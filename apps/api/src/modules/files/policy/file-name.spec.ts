import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_FILE_NAME_BYTES, sanitizeFileName } from './file-name.js';

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const clusters = (text: string): string[] =>
  Array.from(segmenter.segment(text), ({ segment }) => segment);
const FAMILY = '👩‍👩‍👧‍👦'; // 4 emoji joined by 3 ZWJ: one grapheme cluster of 25 bytes

/** What every stored name must satisfy, whatever came in. */
function assertSafe(name: string | null): asserts name is string {
  assert.ok(name !== null);
  assert.ok(name.length > 0);
  assert.ok(bytes(name) <= MAX_FILE_NAME_BYTES, `${bytes(name)} bytes`);
  assert.equal(name, name.normalize('NFC'));
  assert.doesNotMatch(name, /[/\\\0]/);
  assert.doesNotMatch(name, /[\p{Cc}\u202A-\u202E\u2066-\u2069\u200B\u200E\u200F\uFEFF]/u);
  assert.doesNotMatch(name, /^[. ]|[. ]$/);
  assert.doesNotMatch(name, /^\.{1,2}$/);
  assert.doesNotMatch(name, / {2}/);
  assert.doesNotMatch(name, /\p{Cs}/u);
}

describe('sanitizeFileName', () => {
  it('keeps an ordinary name as it is', () => {
    for (const name of ['report.pdf', 'Quarterly Report (final) v2.xlsx', 'a', '写真.jpg']) {
      assert.equal(sanitizeFileName(name), name);
    }
    assert.equal(sanitizeFileName('Überweisung – März.pdf'), 'Überweisung – März.pdf');
  });

  it('turns path traversal into a flat, harmless name', () => {
    const name = sanitizeFileName('../../etc/passwd');
    assertSafe(name);
    assert.equal(name, '_.._etc_passwd');
    assert.equal(sanitizeFileName('..\\..\\windows\\system32'), '_.._windows_system32');
    assert.equal(sanitizeFileName('/etc/passwd'), '_etc_passwd');
  });

  it('replaces both separators and NUL with _', () => {
    assert.equal(sanitizeFileName('a/b\\c.txt'), 'a_b_c.txt');
    assert.equal(sanitizeFileName('evil.txt\0.png'), 'evil.txt_.png');
  });

  it('removes bidi overrides and isolates, so exe.png cannot pose as a png', () => {
    const name = sanitizeFileName('invoice\u202Egnp.exe');
    assertSafe(name);
    assert.equal(name, 'invoicegnp.exe');
    assert.ok(name.endsWith('.exe'));
    for (const mark of [
      '\u202A',
      '\u202B',
      '\u202C',
      '\u202D',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
      '\u200E',
      '\u200F',
      '\u061C',
    ]) {
      assert.equal(
        sanitizeFileName(`a${mark}b.txt`),
        'ab.txt',
        `U+${mark.codePointAt(0)?.toString(16)}`,
      );
    }
  });

  it('removes zero-width characters, the BOM and other invisible ones', () => {
    assert.equal(sanitizeFileName('\uFEFFreport\u200B.pdf'), 'report.pdf');
    assert.equal(sanitizeFileName('re\u00ADport\u2060.pdf'), 'report.pdf'); // soft hyphen, word joiner
    assert.equal(sanitizeFileName('a\u3164\u115F\uFFA0b'), 'ab'); // Hangul fillers
    assert.equal(sanitizeFileName('a\u{E0041}\u{E0042}b'), 'ab'); // tag characters (ASCII smuggling)
    assert.equal(sanitizeFileName('\u200D\u200C\uFE0F'), null);
    assert.equal(sanitizeFileName('\uD800name\uDFFF'), 'name'); // lone surrogates
  });

  it('keeps the joiners and selectors that build emoji and words', () => {
    assert.equal(sanitizeFileName(`${FAMILY}.png`), `${FAMILY}.png`);
    assert.equal(sanitizeFileName('❤️‍🔥 1️⃣.jpg'), '❤️‍🔥 1️⃣.jpg');
    assert.equal(sanitizeFileName('می‌خواهم.txt'), 'می‌خواهم.txt'); // Persian ZWNJ
    const england = '🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}';
    assert.equal(sanitizeFileName(`${england}.png`), `${england}.png`);
    // Dangling joiners: at the start, the end, beside a space.
    assert.equal(sanitizeFileName('\u200Da\u200D b\u200D'), 'a b');
  });

  it('turns CR, LF, TAB and other whitespace into single spaces', () => {
    assert.equal(sanitizeFileName('line1\r\nline2.txt'), 'line1 line2.txt');
    assert.equal(sanitizeFileName('a\tb\u000Bc\u000Cd\u0085e.txt'), 'a b c d e.txt');
    assert.equal(sanitizeFileName('a \u00A0\u2003\u3000\u2028 b'), 'a b');
    assert.equal(
      sanitizeFileName('Content-Type: x\r\nSet-Cookie: y'),
      'Content-Type: x Set-Cookie: y',
    );
    assert.equal(sanitizeFileName('bell\u0007\u001B\u007F\u0080.txt'), 'bell.txt');
  });

  it('composes NFD input to NFC', () => {
    const nfd = 'Ma\u0308rz e\u0301te\u0301.txt';
    assert.notEqual(nfd, nfd.normalize('NFC'));
    assert.equal(sanitizeFileName(nfd), 'März été.txt'.normalize('NFC'));
    // …also when a removed character sat between a letter and its mark.
    assert.equal(sanitizeFileName('e\u200B\u0301.txt'), '\u00E9.txt');
  });

  it('strips leading dots and trailing dots and spaces', () => {
    assert.equal(sanitizeFileName('.bashrc'), 'bashrc');
    assert.equal(sanitizeFileName('...hidden.txt'), 'hidden.txt');
    assert.equal(sanitizeFileName(' . .x'), 'x');
    assert.equal(sanitizeFileName('name.txt. . '), 'name.txt');
    assert.equal(sanitizeFileName('  padded  name  '), 'padded name');
  });

  it('refuses a name with nothing usable left', () => {
    for (const raw of [
      '',
      '.',
      '..',
      '...',
      '   ',
      '. . .',
      '\u202E',
      '\u200B\uFEFF',
      '\t\r\n',
      ' ...  ',
    ]) {
      assert.equal(sanitizeFileName(raw), null, JSON.stringify(raw));
    }
  });

  it('prefixes Windows device names, with or without an extension', () => {
    assert.equal(sanitizeFileName('CON.txt'), '_CON.txt');
    assert.equal(sanitizeFileName('con.tar.gz'), '_con.tar.gz');
    assert.equal(sanitizeFileName('CON'), '_CON');
    assert.equal(sanitizeFileName('nul'), '_nul');
    assert.equal(sanitizeFileName('Aux.'), '_Aux');
    assert.equal(sanitizeFileName('PRN .log'), '_PRN .log');
    for (const device of [
      'COM0',
      'COM9',
      'lpt1',
      'LPT9',
      'COM¹',
      'lpt²',
      'COM³',
      'CONIN$',
      'conout$',
    ]) {
      assert.equal(sanitizeFileName(`${device}.dat`), `_${device}.dat`, device);
    }
    for (const name of [
      'CONSOLE.txt',
      'COM10',
      'LPT',
      'icon.png',
      'con_tar.gz',
      'AUX-1',
      'COM1x.txt',
    ]) {
      assert.equal(sanitizeFileName(name), name, name);
    }
  });

  it('shortens 300 bytes of emoji to whole clusters within 255 bytes', () => {
    const raw = FAMILY.repeat(12); // 300 bytes
    assert.equal(bytes(raw), 300);
    const name = sanitizeFileName(raw);
    assertSafe(name);
    assert.deepEqual(new Set(clusters(name)), new Set([FAMILY]));
    assert.equal(name, FAMILY.repeat(10)); // 250 bytes; an 11th cluster would not fit
  });

  it('keeps the extension when it shortens a name', () => {
    const name = sanitizeFileName(`${FAMILY.repeat(12)}.png`);
    assertSafe(name);
    assert.ok(name.endsWith('.png'));
    assert.equal(name, `${FAMILY.repeat(10)}.png`);

    const long = sanitizeFileName(`${'a'.repeat(300)}.tar.gz`);
    assertSafe(long);
    assert.equal(bytes(long), 255);
    assert.equal(long, `${'a'.repeat(252)}.gz`);

    const multi = sanitizeFileName(`${'ü'.repeat(200)}.txt`); // 2 bytes each
    assertSafe(multi);
    assert.equal(multi, `${'ü'.repeat(125)}.txt`);
    assert.equal(bytes(multi), 254);
  });

  it('never cuts a code point or a cluster in half', () => {
    for (let offset = 0; offset < 4; offset++) {
      const raw = 'x'.repeat(offset) + '😀'.repeat(80) + '.txt'; // 4-byte code points
      const name = sanitizeFileName(raw);
      assertSafe(name);
      assert.doesNotMatch(name, /\uFFFD/);
      assert.equal(Buffer.from(name, 'utf8').toString('utf8'), name);
      assert.ok(name.endsWith('😀.txt'));
      assert.ok(bytes(name) > 255 - 4);
    }
    const accented = sanitizeFileName('e\u0301'.repeat(100)); // decomposed é composes to 2 bytes
    assertSafe(accented);
    assert.equal(accented, '\u00E9'.repeat(100));
    const zalgo = 'Z\u0336\u0337\u0338\u0335'.repeat(40); // 9 bytes per cluster, 360 in all
    const cut = sanitizeFileName(zalgo);
    assertSafe(cut);
    assert.equal(cut, 'Z\u0336\u0337\u0338\u0335'.repeat(28)); // 252 bytes
  });

  it('drops an extension that is too long or is the whole name', () => {
    const longExtension = `name.${'x'.repeat(17)}`;
    assert.equal(sanitizeFileName(longExtension), longExtension); // short enough: unchanged
    const cut = sanitizeFileName(`${'a'.repeat(250)}.${'x'.repeat(17)}`);
    assertSafe(cut);
    assert.equal(cut, `${'a'.repeat(250)}.${'x'.repeat(4)}`);
    const sixteen = sanitizeFileName(`${'a'.repeat(250)}.${'y'.repeat(16)}`);
    assert.equal(sixteen, `${'a'.repeat(255 - 17)}.${'y'.repeat(16)}`);
  });

  it('does not leave trailing dots or spaces where it cut', () => {
    // The cut falls right after " . ": no extension to keep (" bbb…" is 21 bytes).
    const name = sanitizeFileName(`${'a'.repeat(252)}  .  ${'b'.repeat(20)}`);
    assertSafe(name);
    assert.equal(name, 'a'.repeat(252));
    // The cut falls right after the space before the kept extension.
    const withExtension = sanitizeFileName(`${'a'.repeat(250)} ${'b'.repeat(20)}.pdf`);
    assertSafe(withExtension);
    assert.equal(withExtension, `${'a'.repeat(250)}.pdf`);
  });

  it('falls back to code points when one cluster alone is too long', () => {
    const raw = `a${'\u0301'.repeat(200)}.txt`; // NFC: á + 199 marks, one cluster of 400 bytes
    const name = sanitizeFileName(raw);
    assertSafe(name);
    assert.equal(name, `\u00E1${'\u0301'.repeat(124)}.txt`); // 250 bytes of it, then .txt
    assert.equal(bytes(name), 254);
  });

  it('keeps a prefixed device name within the limit', () => {
    const name = sanitizeFileName(`CON.${'x'.repeat(300)}`);
    assertSafe(name);
    assert.ok(name.startsWith('_CON.x'));
    assert.equal(bytes(name), 255);
  });

  it('is idempotent', () => {
    const inputs = [
      '../../etc/passwd',
      'invoice\u202Egnp.exe',
      FAMILY.repeat(12),
      `${FAMILY.repeat(12)}.png`,
      'CON.txt',
      'a/b\\c.txt',
      'line1\r\nline2.txt',
      `${'a'.repeat(300)}.tar.gz`,
      `CON.${'x'.repeat(300)}`,
    ];
    for (const raw of inputs) {
      const once = sanitizeFileName(raw);
      assertSafe(once);
      assert.equal(sanitizeFileName(once), once, JSON.stringify(raw));
    }
  });
});
