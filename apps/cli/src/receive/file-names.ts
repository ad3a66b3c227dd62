// Local names for downloaded files: the server's sanitized name, reduced to a basename again here
// (a client never trusts a name to stay inside --out), and never one that is already taken.

import { isControl } from './text.ts';

const FALLBACK = 'download';
// File systems allow 255 bytes per name, and a download is first written to `<name>.part`.
const PART_SUFFIX = '.part';
export const MAX_NAME_BYTES = 255 - PART_SUFFIX.length;
// Characters Windows refuses in a file name (the server already replaced / \ and NUL).
const WINDOWS_RESERVED = /[<>:"|?*]/g;
// Extensions kept whole when a number goes in: "backup (1).tar.gz", not "backup.tar (1).gz".
const DOUBLE_EXTENSIONS = /\.tar\.(gz|bz2|xz|zst|lz|lzma|z)$/i;

/** The file name a download is saved under, before making it unique. */
export function localName(serverName: string, platform: string = process.platform): string {
  let name = serverName.split(/[/\\]/).pop() ?? '';
  name = [...name].filter((char) => !isControl(char)).join('');
  if (platform === 'win32') name = name.replace(WINDOWS_RESERVED, '_');
  name = name.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (name === '') return FALLBACK;
  const [stem, extension] = splitExtension(name);
  return fit(stem, extension);
}

/** `name`, or the first of `stem (1).ext`, `stem (2).ext`, … for which `taken` says no. */
export function uniqueName(name: string, taken: (candidate: string) => boolean): string {
  if (!taken(name)) return name;
  const [stem, extension] = splitExtension(name);
  for (let n = 1; ; n++) {
    const candidate = fit(stem, ` (${n})${extension}`);
    if (!taken(candidate)) return candidate;
  }
}

/** ["photo", ".jpg"], ["backup", ".tar.gz"], ["README", ""]; a leading dot is no extension. */
export function splitExtension(name: string): [string, string] {
  const double = DOUBLE_EXTENSIONS.exec(name);
  if (double && double.index > 0) return [name.slice(0, double.index), double[0]];
  const dot = name.lastIndexOf('.');
  // Up to 16 characters after the dot, like the server's own shortening rule.
  if (dot <= 0 || name.length - dot > 17) return [name, ''];
  return [name.slice(0, dot), name.slice(dot)];
}

/** `stem + tail`, the stem shortened (by whole characters) so that it fits in MAX_NAME_BYTES. */
function fit(stem: string, tail: string): string {
  const room = MAX_NAME_BYTES - byteLength(tail);
  if (byteLength(stem) <= room) return stem + tail;
  let kept = '';
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(
    stem,
  )) {
    if (byteLength(kept + segment) > room) break;
    kept += segment;
  }
  return (kept === '' ? FALLBACK : kept) + tail;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
