import { normalizeName } from '@app/common';

export const USER_AGENT_MAX_LENGTH = 256;
// Controls, format characters (zero-width, bidi) and line separators: never shown to the owner.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu;

/**
 * The claiming client's User-Agent as stored and shown to the owner: well-formed (lone
 * surrogates replaced), invisible characters turned into spaces, trimmed, at most 256 code
 * points. Null when nothing is left.
 */
export function cleanUserAgent(value: string | string[] | undefined): string | null {
  const raw = Array.isArray(value) ? value.join(', ') : value;
  if (raw === undefined) return null;
  // ES2024, in Node since 20; the compiler's lib predates it.
  const wellFormed = (raw as string & { toWellFormed(): string }).toWellFormed();
  const visible = normalizeName(wellFormed.replace(INVISIBLE, ' '));
  const cut = Array.from(visible).slice(0, USER_AGENT_MAX_LENGTH).join('').trim();
  return cut === '' ? null : cut;
}
