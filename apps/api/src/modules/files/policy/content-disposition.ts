// Content-Disposition for downloads (RFC 6266 with an RFC 5987 / 8187 `filename*`): always an
// attachment, so nothing uploaded is ever rendered from the storage origin.

// RFC 5987 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~".
const ATTR_CHAR = /^[A-Za-z0-9!#$&+\-.^_`|~]$/;

/**
 * `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded UTF-8>`.
 * The fallback (for user agents without RFC 5987) replaces every non-ASCII code point and
 * control character by `_`, escapes `"` and `\`, and breaks `%XX` (RFC 6266 appendix D: some
 * agents would percent-decode it); `filename*` carries the exact name.
 */
export function contentDispositionAttachment(name: string): string {
  if (name === '') return 'attachment';
  return `attachment; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeExtValue(name)}`;
}

// Every code point outside visible ASCII (a lone surrogate counts as one) becomes one `_`.
function asciiFallback(name: string): string {
  return name
    .replace(/[^\x20-\x7E]/gu, '_')
    .replace(/%(?=[0-9A-Fa-f]{2})/g, '_')
    .replace(/["\\]/g, '\\$&');
}

// What each UTF-8 byte becomes in `filename*`: itself when it is an attr-char, else `%XX`.
// Worked out once: a grant signs a disposition on every call.
const EXT_VALUE_BYTE = Array.from({ length: 256 }, (_, byte) => {
  const char = String.fromCharCode(byte);
  return byte < 0x80 && ATTR_CHAR.test(char)
    ? char
    : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
});

// Percent-encodes the UTF-8 bytes of everything outside attr-char (' ( ) * % space included).
// Buffer encodes a lone surrogate as U+FFFD, so the result is always valid UTF-8.
function encodeExtValue(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) out += EXT_VALUE_BYTE[byte] ?? '';
  return out;
}
