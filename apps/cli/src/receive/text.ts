// Text from elsewhere (the server, the command line) shown in a terminal: never with control
// characters, which could move the cursor, recolour or rewrite what the user reads.

export function isControl(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/** `text` with each control character as `?`, at most `max` characters. */
export function printable(text: string, max = 80): string {
  const clean = [...text].map((char) => (isControl(char) ? '?' : char)).join('');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
