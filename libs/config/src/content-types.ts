import type { EnvReader } from './env-reader.js';

// The content-type lists of CONTENT_TYPES_ALLOWED / CONTENT_TYPES_BLOCKED. The API checks
// declared types against them with the same RFC 6838 rules (files/policy/content-type.ts).

// RFC 6838 §4.2 restricted-name: a letter or digit, then up to 126 of these.
const NAME = '[a-z0-9][a-z0-9!#$&^_.+-]{0,126}';
const MEDIA_RANGE = new RegExp(`^${NAME}/(?:\\*|${NAME})$`);

/**
 * Native executables: Windows PE (every name it goes by), ELF and Mach-O. HTML and SVG stay
 * allowed because every download is forced to `attachment` and never rendered from storage.
 */
export const DEFAULT_BLOCKED_CONTENT_TYPES: readonly string[] = [
  'application/x-msdownload',
  'application/vnd.microsoft.portable-executable',
  'application/x-dosexec',
  'application/x-msdos-program',
  'application/x-executable',
  'application/x-elf',
  'application/x-mach-binary',
];

/** `type/subtype` or `type/*` (lower case), as the lists accept them. */
export function isMediaRange(entry: string): boolean {
  return MEDIA_RANGE.test(entry);
}

/**
 * A comma-separated list of `type/subtype` and `type/*`, lower-cased and without duplicates;
 * `none` (where `noneAllowed`) is the empty list, unset is `fallback`.
 */
export function readContentTypes(
  env: EnvReader,
  name: string,
  fallback: readonly string[],
  noneAllowed: boolean,
): string[] {
  const value = env.raw(name);
  if (value === undefined) return [...fallback];
  if (noneAllowed && value.toLowerCase() === 'none') return [];
  const entries = value.split(',').map((entry) => entry.trim().toLowerCase());
  const bad = entries.find((entry) => !isMediaRange(entry));
  if (bad !== undefined) {
    env.fail(
      name,
      `must be a comma-separated list of type/subtype or type/* like image/*,application/pdf` +
        `${noneAllowed ? ', or none' : ''} (${JSON.stringify(bad)} is neither)`,
    );
    return [...fallback];
  }
  return [...new Set(entries)];
}
