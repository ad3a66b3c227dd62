// What a text field may contain, as pure functions: the decorators in text-fields.ts and the
// global well-formedness pipe build on these, and specs test them without HTTP.

// Invisible or rendering-changing characters no identifier and no name needs:
// - Cc: C0 and C1 controls (NUL, BEL, ESC of ANSI sequences, CR, LF, TAB, DEL, NEL …);
// - Cf: format characters: zero-width space/joiners (U+200B–U+200D), LRM/RLM (U+200E–U+200F),
//   bidi embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069), word joiner
//   (U+2060), BOM (U+FEFF), soft hyphen, tag characters …;
// - Zl, Zp: line and paragraph separators (U+2028, U+2029), which end lines in logs and JS.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

// A ZWJ between two emoji (optionally after a variation selector or a skin tone) builds one
// emoji sequence (👩‍👩‍👧); that is the one use of a format character a name may keep.
const EMOJI_ZWJ =
  /(?<=\p{Extended_Pictographic}(?:\u{FE0F}|\p{Emoji_Modifier})?)\u200D(?=\p{Extended_Pictographic})/gu;

// Unicode White_Space at either end. String.prototype.trim would also drop a BOM (U+FEFF),
// which is refused instead: a BOM in a field is a sign of a tampered or mis-encoded value.
// A loop, not /\s+$/: that regex is quadratic on a long run of inner spaces.
const SPACE = /^\p{White_Space}$/u;
function trimSpace(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && SPACE.test(value.charAt(start))) start++;
  while (end > start && SPACE.test(value.charAt(end - 1))) end--;
  return value.slice(start, end);
}

/** Longest email we store (RFC 5321 path limit less the brackets). */
export const EMAIL_MAX_LENGTH = 254;
/** Default bound of a display name, in code points after NFC. */
export const DISPLAY_NAME_MAX_LENGTH = 100;

/**
 * True when `value` is well-formed UTF-16: no lone surrogate. A lone surrogate cannot be encoded
 * as UTF-8 (it would be stored as U+FFFD, so two different inputs would collide) and makes some
 * validators throw (`decodeURIComponent`: URIError).
 */
export const isWellFormedText = (value: string): boolean =>
  // ES2024, in Node since 20; the compiler's lib predates it.
  (value as string & { isWellFormed(): boolean }).isWellFormed();

/** Whether `value` holds a control, format (zero-width, bidi) or line-separator character. */
export const hasInvisibleCharacters = (value: string): boolean => INVISIBLE.test(value);

/**
 * The form an email is stored and compared in: NFKC (so full-width `ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ` and
 * other compatibility forms are the plain address), trimmed and lower-cased. Validation refuses
 * what this cannot make safe (invisible characters, lone surrogates); a malformed string is
 * returned unchanged for the validators to refuse.
 */
export function normalizeEmail(value: string): string {
  if (!isWellFormedText(value)) return value;
  return trimSpace(value.normalize('NFKC')).toLowerCase();
}

/** A display name or object name as stored: NFC (canonical composition), trimmed. */
export function normalizeName(value: string): string {
  if (!isWellFormedText(value)) return value;
  return trimSpace(value.normalize('NFC'));
}

/** Length in code points: what a person counts, and independent of UTF-16 surrogate pairs. */
// The string iterator steps by code point (a surrogate pair is one step, a lone one too).
export const codePointLength = (value: string): number => Array.from(value).length;

/** Why `value` is not a usable name (after normalizeName), or undefined when it is one. */
export function nameProblem(value: unknown, maxLength: number): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (!isWellFormedText(value)) return 'must be well-formed Unicode text';
  if (hasInvisibleCharacters(value.replace(EMOJI_ZWJ, ''))) {
    return 'must not contain control, zero-width or bidirectional formatting characters';
  }
  const length = codePointLength(value);
  if (length < 1 || length > maxLength) {
    return `must be 1 to ${String(maxLength)} characters long`;
  }
  return undefined;
}

/**
 * Why `value` is not a usable email (after normalizeEmail), or undefined when it is one. The
 * syntax check itself is `isEmailSyntax`, passed in so this stays free of a validator library.
 */
export function emailProblem(
  value: unknown,
  isEmailSyntax: (email: string) => boolean,
): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  // Checked first: the syntax check may throw on a lone surrogate.
  if (!isWellFormedText(value)) return 'must be well-formed Unicode text';
  if (hasInvisibleCharacters(value) || /\s/u.test(value)) {
    return 'must not contain spaces, control, zero-width or bidirectional formatting characters';
  }
  if (value.length > EMAIL_MAX_LENGTH) {
    return `must be at most ${String(EMAIL_MAX_LENGTH)} characters long`;
  }
  if (!isEmailSyntax(value)) return 'must be an email address';
  return undefined;
}

/**
 * The path of the first string (or object key) in `value` that is not well-formed UTF-16, e.g.
 * `items.2.name`, or undefined. Walks plain objects and arrays only, `maxDepth` levels at most
 * (bodies are bounded before parsing; deeper parts are left to the DTO, which refuses them).
 */
export function findMalformedText(value: unknown, path = '', maxDepth = 64): string | undefined {
  if (typeof value === 'string') return isWellFormedText(value) ? undefined : path;
  if (typeof value !== 'object' || value === null || maxDepth <= 0) return undefined;
  const at = (key: string) => (path === '' ? key : `${path}.${key}`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findMalformedText(value[i], at(String(i)), maxDepth - 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    if (!isWellFormedText(key)) return at('(key)');
    const found = findMalformedText(item, at(key), maxDepth - 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
