// The stored name of an uploaded file. It is only ever shown and sent back in
// Content-Disposition (storage keys are built from ids), but it ends up on other people's disks,
// so it must be harmless on every common file system and unable to disguise itself.

/** Longest stored name in UTF-8 bytes (the limit of ext4, APFS and, in UTF-16 units, NTFS). */
export const MAX_FILE_NAME_BYTES = 255;
/** An extension longer than this is not kept apart when a name has to be shortened. */
export const MAX_EXTENSION_BYTES = 16;

// Separators of any path syntax a receiver might apply (and NUL, which ends a C string).
const SEPARATOR = /[/\\\0]/u;
// Whitespace, including the control characters that move the cursor (TAB, LF, VT, FF, CR, NEL),
// the Unicode spaces, line/paragraph separators and the braille blank, which renders as nothing.
// (Not U+FEFF, which JavaScript's \s includes: as a zero-width no-break space it is removed.)
const WHITESPACE =
  /[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u2800]/u;
// Invisible characters: controls, format characters (bidi embeddings, overrides and isolates
// U+202A-202E and U+2066-2069, zero-width characters, the BOM, tags), everything Unicode says
// renders as nothing (Hangul fillers, combining grapheme joiner …), lone surrogates and
// noncharacters.
const INVISIBLE =
  /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cs}\uFDD0-\uFDEF\uFFFE\uFFFF\u{1FFFE}\u{1FFFF}\u{2FFFE}\u{2FFFF}\u{10FFFE}\u{10FFFF}]/u;
// Invisible characters that shape the visible one before them and are kept when they do:
// variation selectors (emoji vs text presentation, CJK variants) …
const VARIATION_SELECTOR = /[\u180B-\u180D\u180F\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/u;
// … and the joiners that build emoji sequences (👩‍👩‍👧‍👦) and spell Persian or Indic words, kept only
// between two visible characters.
const JOINER = /[\u200C\u200D]/u;
// An emoji tag sequence (subdivision flags like 🏴󠁧󠁢󠁳󠁣󠁴󠁿): WAVING BLACK FLAG, tag letters/digits, CANCEL TAG.
// Tags anywhere else are invisible text ("ASCII smuggling") and removed.
const FLAG_TAGS = /^[\u{E0030}-\u{E0039}\u{E0061}-\u{E007A}]{1,6}\u{E007F}/u;
const BLACK_FLAG = 0x1f3f4;

// Windows device names, reserved with any extension (CON.txt, con.tar.gz) and with trailing
// spaces before it; the superscript digits count as digits there.
const RESERVED = /^(?:CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|(?:COM|LPT)[0-9¹²³])(?: *\..*)?$/iu;

const encoder = new TextEncoder();
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

const utf8Length = (text: string): number => encoder.encode(text).length;

/**
 * The name to store for what a client declared, or `null` when nothing usable remains (the API
 * answers 400). The result is NFC, has no control, format, bidi or other invisible characters, no
 * `/`, `\` or NUL (each becomes `_`), single spaces, no leading dots, no trailing dots or spaces,
 * is never a Windows device name (those get a leading `_`), and fits in 255 UTF-8 bytes, shortened
 * before its extension and never inside a character or grapheme cluster.
 */
export function sanitizeFileName(raw: string): string | null {
  const visible = stripInvisible(Array.from(raw.normalize('NFC')));
  let name = visible
    .join('')
    // Removing a character can leave a base and its combining mark side by side again.
    .normalize('NFC')
    .replace(/ {2,}/g, ' ')
    .replace(/^[. ]+/, '')
    .replace(/[. ]+$/, '');
  if (name === '') return null;
  name = truncate(name, MAX_FILE_NAME_BYTES);
  if (RESERVED.test(name)) name = truncate(`_${name}`, MAX_FILE_NAME_BYTES);
  return name;
}

/** Maps separators and whitespace, drops invisible characters, keeps meaningful joiners. */
function stripInvisible(chars: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] ?? '';
    if (SEPARATOR.test(char)) kept.push('_');
    else if (WHITESPACE.test(char)) kept.push(' ');
    else if (char.codePointAt(0) === BLACK_FLAG) {
      const tags = FLAG_TAGS.exec(chars.slice(i + 1, i + 8).join(''))?.[0] ?? '';
      kept.push(char + tags);
      i += Array.from(tags).length;
    } else if (VARIATION_SELECTOR.test(char) || JOINER.test(char)) kept.push(char);
    else if (!INVISIBLE.test(char)) kept.push(char);
  }
  // Second pass, over what stays: a selector needs a visible character before it, a joiner one
  // on each side (not a space, not another joiner).
  const isBase = (char: string | undefined): boolean =>
    char !== undefined && char !== ' ' && !JOINER.test(char) && !VARIATION_SELECTOR.test(char);
  const result: string[] = [];
  for (let i = 0; i < kept.length; i++) {
    const char = kept[i] ?? '';
    const before = result.at(-1);
    if (VARIATION_SELECTOR.test(char)) {
      if (isBase(before) || (before !== undefined && VARIATION_SELECTOR.test(before)))
        result.push(char);
    } else if (JOINER.test(char)) {
      const afterBase = isBase(before) || (before !== undefined && VARIATION_SELECTOR.test(before));
      if (afterBase && isBase(kept[i + 1])) result.push(char);
    } else result.push(char);
  }
  return result;
}

/** At most `maxBytes` of UTF-8, cut between grapheme clusters, keeping a short extension. */
function truncate(name: string, maxBytes: number): string {
  if (utf8Length(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot) : '';
  const keepExtension = extension !== '' && utf8Length(extension) - 1 <= MAX_EXTENSION_BYTES;
  const stem = keepExtension ? name.slice(0, dot) : name;
  const suffix = keepExtension ? extension : '';
  const cut = prefixWithin(stem, maxBytes - utf8Length(suffix)).replace(/[. ]+$/, '');
  // A stem made only of one enormous grapheme cluster (a letter with hundreds of combining
  // marks) leaves nothing; then drop the extension rather than return a bare ".ext".
  return cut === '' ? prefixWithin(name, maxBytes).replace(/[. ]+$/, '') : cut + suffix;
}

/** The longest prefix within `maxBytes`, ending on a grapheme boundary (on a code point boundary
 * only when the first cluster alone is too long). */
function prefixWithin(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const { segment } of graphemes.segment(text)) {
    const size = utf8Length(segment);
    if (bytes + size > maxBytes) {
      if (out === '') return codePointPrefix(segment, maxBytes);
      break;
    }
    out += segment;
    bytes += size;
  }
  return out;
}

function codePointPrefix(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const char of text) {
    const size = utf8Length(char);
    if (bytes + size > maxBytes) break;
    out += char;
    bytes += size;
  }
  return out;
}
