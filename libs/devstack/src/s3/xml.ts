// Minimal XML rendering for S3 responses and a strict parser for request bodies.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { S3Error } from './errors.js';

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** A response element: text, nested elements, or repeated elements (arrays). */
export type XmlValue = string | number | boolean | undefined | XmlObject | XmlValue[];
export interface XmlObject {
  [name: string]: XmlValue;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        return '&#13;';
    }
  });
}

function renderElement(name: string, value: XmlValue, out: string[]): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) renderElement(name, item, out);
    return;
  }
  if (typeof value === 'object') {
    out.push(`<${name}>`);
    for (const [child, v] of Object.entries(value)) renderElement(child, v, out);
    out.push(`</${name}>`);
    return;
  }
  out.push(`<${name}>${escapeXml(String(value))}</${name}>`);
}

/** Renders `<?xml ...?><root xmlns="...">…</root>`. */
export function renderXml(root: string, body: XmlObject, namespace = true): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  out.push(namespace ? `<${root} xmlns="${S3_NAMESPACE}">` : `<${root}>`);
  for (const [name, v] of Object.entries(body)) renderElement(name, v, out);
  out.push(`</${root}>`);
  return out.join('');
}

// Elements that may repeat in the request documents we accept; always parsed as arrays.
const REPEATED = new Set([
  'Part',
  'Object',
  'CORSRule',
  'AllowedOrigin',
  'AllowedMethod',
  'AllowedHeader',
  'ExposeHeader',
  'Rule',
  'Tag',
]);

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => REPEATED.has(name),
});

/** Parsed request XML: elements become objects, text becomes strings. */
export type ParsedXml = { [name: string]: ParsedXml | ParsedXml[] | string | string[] | undefined };

/** Parses a request body; malformed documents or a different root are `MalformedXML`. */
export function parseXml(text: string, root: string): ParsedXml {
  if (text.trim() === '' || XMLValidator.validate(text) !== true) throw new S3Error('MalformedXML');
  const doc: unknown = parser.parse(text);
  if (typeof doc !== 'object' || doc === null) throw new S3Error('MalformedXML');
  const top = (doc as Record<string, unknown>)[root];
  if (top === '') return {};
  if (typeof top !== 'object' || top === null || Array.isArray(top))
    throw new S3Error('MalformedXML');
  return top as ParsedXml;
}

/** Reads a child element's text, or undefined. */
export function text(node: ParsedXml | undefined, name: string): string | undefined {
  const v = node?.[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  throw new S3Error('MalformedXML');
}

/** Reads repeated child elements as objects. */
export function children(node: ParsedXml | undefined, name: string): ParsedXml[] {
  const v = node?.[name];
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((item) => {
    if (typeof item === 'string') {
      if (item === '') return {};
      throw new S3Error('MalformedXML');
    }
    return item;
  });
}

/** Reads repeated child elements as strings. */
export function texts(node: ParsedXml | undefined, name: string): string[] {
  const v = node?.[name];
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((item) => {
    if (typeof item !== 'string') throw new S3Error('MalformedXML');
    return item;
  });
}
