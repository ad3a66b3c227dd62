import { fileTypeFromBuffer } from 'file-type';
import { fits, isTextual, isUnspecific, namesOf } from './media-families.js';

/** Bytes of an object's head worth reading for `sniffContradiction` (file-type needs ~4 KiB). */
export const SNIFF_HEAD_BYTES = 4096;

/** What the sniffer asks of a content-type policy (ContentTypePolicy fits). */
export interface BlockList {
  blocks(type: string): boolean;
}

// Markup that must never pass for media: what browsers sniff as HTML (WHATWG MIME Sniffing
// §7.1), plus SVG and other XML. Each is matched case-insensitively after leading whitespace,
// followed by a space, `>` or `/` (the comment opener by anything).
const HTML_TAGS = [
  '!doctype html',
  'html',
  'head',
  'script',
  'iframe',
  'h1',
  'div',
  'font',
  'table',
  'a',
  'style',
  'title',
  'b',
  'body',
  'br',
  'p',
];

/**
 * Why the first bytes of an upload contradict its declared type, or `null` when they fit it or
 * are not recognizable. `head` is the object's start (a few KiB). E.g. "content looks like
 * application/x-msdownload (exe), not image/png". Declared `application/octet-stream` fits any
 * content; with a `blockList`, content sniffed as a blocked type is refused whatever was declared.
 */
export async function sniffContradiction(
  declaredType: string,
  head: Uint8Array,
  blockList?: BlockList,
): Promise<string | null> {
  const declared = bareType(declaredType);
  const markup = markupIn(declared, head);
  if (markup !== null) {
    return `content looks like ${markup.type} (starts with ${markup.start}), not ${declared}`;
  }
  // Text has no magic numbers: a text file that happens to start with "MZ" or "BM" is no
  // executable or bitmap.
  if (isTextual(declared) && looksLikeText(head)) return null;

  const found = await detect(head);
  if (found === null) return null;
  const detected = bareType(found.mime);
  const described = `${detected} (${found.ext})`;
  if (!isUnspecific(declared) && !fits(declared, detected)) {
    return `content looks like ${described}, not ${declared}`;
  }
  if (blockList !== undefined && namesOf(detected).some((name) => blockList.blocks(name))) {
    return `content looks like ${described}, a blocked type`;
  }
  return null;
}

async function detect(head: Uint8Array): Promise<{ mime: string; ext: string } | null> {
  if (head.length === 0) return null;
  try {
    return (await fileTypeFromBuffer(head)) ?? null;
  } catch {
    // A parser tripping over hostile bytes recognizes nothing.
    return null;
  }
}

const bareType = (type: string): string => (type.split(';')[0] ?? '').trim().toLowerCase();

function markupIn(declared: string, head: Uint8Array): { type: string; start: string } | null {
  const kind = declared.slice(0, declared.indexOf('/'));
  if (kind !== 'image' && kind !== 'audio' && kind !== 'video') return null;
  const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, 512))
    .toString('latin1')
    .replace(/^\xEF\xBB\xBF/, '')
    .replace(/^[\t\n\f\r ]+/, '')
    .slice(0, 32)
    .toLowerCase();
  if (!text.startsWith('<')) return null;
  const opens = (tag: string): boolean =>
    text.startsWith(`<${tag}`) && /^(?:[\t\n\f\r />]|$)/.test(text.slice(tag.length + 1));
  const tag = HTML_TAGS.find(opens);
  if (tag !== undefined) return { type: 'text/html', start: `<${tag}` };
  // An SVG file may start with an XML declaration, a doctype or a comment; nothing else may.
  if (declared === 'image/svg+xml') return null;
  if (opens('svg')) return { type: 'image/svg+xml', start: '<svg' };
  if (opens('?xml')) return { type: 'application/xml', start: '<?xml' };
  if (text.startsWith('<!--')) return { type: 'text/html', start: '<!--' };
  if (text.startsWith('<!doctype')) return { type: 'text/html', start: '<!doctype' };
  return null;
}

/** No binary control bytes (any 8-bit text encoding), or a UTF-16 byte order mark. */
function looksLikeText(head: Uint8Array): boolean {
  if (
    head.length >= 2 &&
    ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))
  ) {
    return true;
  }
  // Allowed: TAB, LF, FF, CR, ESC (terminal colours in logs).
  return !head.some((byte) => byte < 0x20 && ![0x09, 0x0a, 0x0c, 0x0d, 0x1b].includes(byte));
}
