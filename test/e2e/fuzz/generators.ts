// Hostile requests for the route fuzzer, generated from the OpenAPI document: every operation
// it lists (today's and every future one) gets bodies, headers, path ids and query strings
// that a hostile client would send. Each case carries a label saying what it tried.
import type { Prng } from './prng.js';

export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  example?: unknown;
  minLength?: number;
  maxLength?: number;
  enum?: unknown[];
}

export interface Operation {
  'x-public'?: boolean;
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface RouteOperation {
  method: string;
  /** The path template, e.g. `/v1/files/{id}`. */
  path: string;
  op: Operation;
}

export interface FuzzCase {
  /** What the case tried, e.g. `body.email = lone low surrogate`. */
  label: string;
  method: string;
  /** Path and query as sent. */
  url: string;
  headers: Record<string, string>;
  body?: string;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** Every operation of the document, in document order. */
export function operationsOf(doc: OpenApiDoc): RouteOperation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
}

// Strings nobody should be able to turn into a 500: broken UTF-16, control and bidi
// characters, huge and empty values, and the classics of injection.
export const HOSTILE_STRINGS: readonly (readonly [name: string, value: string])[] = [
  ['lone low surrogate', '\udfff'],
  ['lone high surrogate', 'ada\ud800@example.com'],
  ['reversed surrogate pair', '\udc00\ud83d'],
  ['NUL', 'a\u0000b@example.com'],
  ['control characters', '\u0007\u001b[31m\u007f'],
  ['CR LF', 'a\r\nSet-Cookie: x=1'],
  ['bidi override', 'ada\u202e@example.com'],
  ['zero-width space', 'a\u200bda@example.com'],
  ['byte order mark', '\ufeffada@example.com'],
  ['full-width letters', 'ＡＤＡ＠ｅｘａｍｐｌｅ．ｃｏｍ'],
  ['combining marks', 'a\u0301\u0301\u0301\u0301\u0301@example.com'],
  ['astral characters', '🦊𝔄@example.com'],
  ['empty', ''],
  ['spaces only', '   '],
  ['10 KB string', 'x'.repeat(10_000)],
  ['60 KB string', 'y'.repeat(60_000)],
  ['SQL injection', "' OR '1'='1'; --"],
  ['template injection', '${jndi:ldap://x}{{7*7}}'],
  ['path traversal', '../../../../etc/passwd'],
  ['markup', '<script>alert(1)</script>'],
  ['percent escapes', '%00%0d%0a%ff'],
];

// Values of the wrong type, operator injection and prototype tricks.
export const HOSTILE_VALUES: readonly (readonly [name: string, value: unknown])[] = [
  ['operator $gt', { $gt: '' }],
  ['operator $ne', { $ne: null }],
  ['operator $regex', { $regex: '.*' }],
  ['operator $where', { $where: 'sleep(1000)' }],
  ['array of strings', ['a', 'b']],
  ['empty array', []],
  ['empty object', {}],
  ['null', null],
  ['true', true],
  ['zero', 0],
  ['negative', -1],
  ['huge number', 1e308],
  ['fraction', 0.5],
  ['beyond safe integers', Number.MAX_SAFE_INTEGER + 2],
];

// Raw JSON members that JSON.stringify cannot produce from a plain object.
const PROTOTYPE_MEMBERS: readonly (readonly [name: string, member: string])[] = [
  ['__proto__ member', '"__proto__":{"admin":true}'],
  ['constructor.prototype member', '"constructor":{"prototype":{"admin":true}}'],
  ['constructor member', '"constructor":"x"'],
  ['prototype member', '"prototype":{"admin":true}'],
  ['toString member', '"toString":"x"'],
  ['hasOwnProperty member', '"hasOwnProperty":1'],
  ['duplicate key', '"x":1,"x":2'],
];

const MALFORMED_BODIES: readonly (readonly [name: string, body: string])[] = [
  ['truncated', '{"email":"a@example.com","pass'],
  ['trailing garbage', '{}garbage'],
  ['two documents', '{}{}'],
  ['single quotes', "{'email':'a'}"],
  ['comments', '{/* x */}'],
  ['NaN', '{"x":NaN}'],
  ['byte order mark', '\ufeff{}'],
  ['bare string', '"just a string"'],
  ['number', '42'],
  ['null', 'null'],
  ['array of objects', '[{},{},{}]'],
  ['empty', ''],
  ['whitespace', '   \n\t '],
  ['invalid escape', '{"x":"\\x41"}'],
  ['unterminated escape', '{"x":"\\u12"}'],
  ['raw control character', '{"x":"a\u0001b"}'],
];

const CONTENT_TYPES = [
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=utf-16',
  'application/json;;;',
  'application/jsonx',
  'application/problem+json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'text/plain',
  'text/json',
  '*/*',
];

const HOSTILE_SEGMENTS: readonly (readonly [name: string, segment: string])[] = [
  ['object id', 'aaaaaaaaaaaaaaaaaaaaaaaa'],
  ['uuid', '00000000-0000-4000-8000-000000000000'],
  ['encoded slash traversal', '..%2f..%2fetc%2fpasswd'],
  ['dot dot', '..'],
  ['NUL', '%00'],
  ['bad percent-encoding', '%E0%A4%A'],
  ['lone surrogate, encoded', '%ED%BF%BF'],
  ['operator', '%7B%22%24ne%22%3Anull%7D'],
  ['5 KB id', 'a'.repeat(5000)],
  ['empty', ''],
  ['unicode', '%F0%9F%A6%8A'],
  ['semicolon', 'x;y=1'],
];

const HOSTILE_QUERIES: readonly (readonly [name: string, query: string])[] = [
  ['nested brackets', 'a[b][c][d]=1'],
  ['__proto__ key', '__proto__[admin]=1&constructor[prototype][x]=1'],
  ['operator key', 'email[$ne]=x'],
  ['bad percent-encoding', 'a=%E0%A4%A&%ZZ'],
  ['lone surrogate, encoded', 'a=%ED%A0%80'],
  ['1000 repeated keys', Array.from({ length: 1000 }, () => 'a=1').join('&')],
  ['8 KB value', `a=${'x'.repeat(8000)}`],
  ['token in query', 'access_token=abc&token=def'],
  ['empty pieces', '&&=&=='],
];

const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

function resolve(schema: Schema | undefined, doc: OpenApiDoc): Schema | undefined {
  if (schema?.$ref === undefined) return schema;
  const name = schema.$ref.split('/').pop() ?? '';
  return doc.components?.schemas?.[name];
}

let serial = 0;

// A value the schema accepts, as a client that means well would send it.
function sample(schema: Schema | undefined, doc: OpenApiDoc, name: string): unknown {
  const s = resolve(schema, doc);
  if (s === undefined) return 'x';
  if (s.example !== undefined && name !== 'email') return s.example;
  if (s.enum !== undefined && s.enum.length > 0) return s.enum[0];
  if (s.type === 'integer' || s.type === 'number') return 1;
  if (s.type === 'boolean') return true;
  if (s.type === 'array') return [];
  if (s.type === 'object') {
    return Object.fromEntries(
      Object.entries(s.properties ?? {}).map(([key, prop]) => [key, sample(prop, doc, key)]),
    );
  }
  if (s.format === 'email' || name === 'email') {
    serial += 1;
    return `fuzz-${String(serial)}@example.com`;
  }
  const minimum = name.toLowerCase().includes('password') ? 12 : 1;
  return 'x'.repeat(Math.max(s.minLength ?? 0, minimum));
}

/** The JSON schema of an operation's body, if it takes one. */
export function bodySchemaOf(route: RouteOperation, doc: OpenApiDoc): Schema | undefined {
  return resolve(route.op.requestBody?.content?.['application/json']?.schema, doc);
}

export interface BodyCase {
  label: string;
  body: string;
  contentType?: string;
}

/**
 * Every hostile body the fuzzer knows for a schema: each hostile value in each field, each
 * prototype trick, malformed JSON, foreign content types and the shape extremes.
 */
export function bodyVariants(schema: Schema | undefined, doc: OpenApiDoc): BodyCase[] {
  const base = (sample(schema ?? { type: 'object' }, doc, '') ?? {}) as Record<string, unknown>;
  const fields = [...Object.keys(schema?.properties ?? {}), 'extra'];
  const text = JSON.stringify(base);
  const member = (raw: string): string => (text === '{}' ? `{${raw}}` : `{${raw},${text.slice(1)}`);
  const variants: BodyCase[] = [{ label: 'body: plausible', body: text }];
  for (const field of fields) {
    for (const [name, value] of [...HOSTILE_STRINGS, ...HOSTILE_VALUES]) {
      variants.push({
        label: `body.${field} = ${name}`,
        body: JSON.stringify({ ...base, [field]: value }),
      });
    }
  }
  for (const [name, raw] of PROTOTYPE_MEMBERS) {
    variants.push({ label: `body: ${name}`, body: member(raw) });
  }
  // A field holding raw JSON text (a placeholder string replaced after stringifying).
  const rawField = (name: string, raw: string): string =>
    JSON.stringify({ ...base, [name]: '\u0000raw' }).replace('"\\u0000raw"', raw);
  for (const name of fields) {
    for (const depth of [31, 33, 1500, 20_000]) {
      variants.push({
        label: `body.${name} nested ${String(depth)} deep`,
        body: rawField(name, nested(depth)),
      });
    }
  }
  for (const length of [999, 1001, 20_000]) {
    const items = Array.from({ length }, (_, i) => (i % 2 === 0 ? '1' : '{}')).join(',');
    variants.push({
      label: `body.extra = array of ${String(length)}`,
      body: rawField('extra', `[${items}]`),
    });
  }
  for (const count of [999, 1001, 6000]) {
    const keys = Array.from({ length: count }, (_, i) => `"k${String(i)}":1`).join(',');
    variants.push({ label: `body with ${String(count)} extra keys`, body: member(keys) });
  }
  for (const [name, body] of MALFORMED_BODIES) {
    variants.push({ label: `body: malformed (${name})`, body });
  }
  for (const contentType of CONTENT_TYPES) {
    variants.push({ label: `body as ${contentType}`, body: text, contentType });
  }
  for (const [name, key] of HOSTILE_STRINGS.slice(0, 12)) {
    variants.push({ label: `body: key with ${name}`, body: member(`${JSON.stringify(key)}:1`) });
  }
  return variants;
}

/** The path of `route` with its parameters filled in, hostile or plain. */
function pathOf(rng: Prng, route: RouteOperation): { label?: string; path: string } {
  if (!route.path.includes('{')) {
    if (!rng.chance(0.1)) return { path: route.path };
    const [name, segment] = rng.pick(HOSTILE_SEGMENTS);
    return { label: `path + /${name}`, path: `${route.path}/${segment}` };
  }
  const [name, segment] = rng.chance(0.3) ? rng.pick(HOSTILE_SEGMENTS) : HOSTILE_SEGMENTS[0];
  return { label: `path id = ${name}`, path: route.path.replace(/\{[^}]+\}/g, segment) };
}

export interface CaseContext {
  /** A valid user access token, or undefined for an anonymous case. */
  token?: string;
}

// Authorization headers besides "none" and the valid token.
const BAD_AUTH: readonly (readonly [name: string, value: string])[] = [
  ['garbage bearer', 'Bearer not-a-token'],
  ['alg none token', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'],
  ['basic credentials', 'Basic YWRtaW46YWRtaW4='],
  ['empty bearer', 'Bearer '],
  ['6 KB bearer', `Bearer ${'a'.repeat(6000)}`],
  ['bearer twice', 'Bearer a, Bearer b'],
];

const BAD_REQUEST_IDS = ['a b', 'x'.repeat(300), '<svg onload=1>', '../../x', 'é'];

/**
 * One case for `route` from its own method and path with `body` (no mutation elsewhere): the
 * systematic pass sends every body variant this way.
 */
export function bodyCase(route: RouteOperation, body: BodyCase, context: CaseContext): FuzzCase {
  const headers: Record<string, string> = {
    'content-type': body.contentType ?? 'application/json',
  };
  if (context.token !== undefined) headers.authorization = `Bearer ${context.token}`;
  return {
    label: context.token === undefined ? body.label : `${body.label}, with token`,
    method: route.method,
    url: route.path.replace(/\{[^}]+\}/g, HOSTILE_SEGMENTS[0][1]),
    headers,
    body: body.body,
  };
}

/**
 * One random case for `route`: its method or a wrong one, its path or a hostile id or suffix,
 * perhaps a hostile query, authorization or request id, and one of `variants` as the body.
 */
export function generateCase(
  rng: Prng,
  route: RouteOperation,
  variants: readonly BodyCase[],
  context: CaseContext,
): FuzzCase {
  const labels: string[] = [];
  let method = route.method;
  if (rng.chance(0.08)) {
    method = rng.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'PROPFIND']);
    if (method !== route.method) labels.push(`method ${method}`);
  }
  const { label: pathLabel, path } = pathOf(rng, route);
  if (pathLabel !== undefined) labels.push(pathLabel);
  let query = '';
  if (rng.chance(0.2)) {
    const [name, q] = rng.pick(HOSTILE_QUERIES);
    labels.push(`query ${name}`);
    query = `?${q}`;
  }
  const headers: Record<string, string> = {};
  if (context.token !== undefined) {
    headers.authorization = `Bearer ${context.token}`;
    labels.push('with token');
  } else if (rng.chance(0.3)) {
    const [name, value] = rng.pick(BAD_AUTH);
    headers.authorization = value;
    labels.push(`authorization: ${name}`);
  }
  if (rng.chance(0.1)) {
    headers['x-request-id'] = rng.pick(BAD_REQUEST_IDS);
    labels.push('hostile x-request-id');
  }
  let body: string | undefined;
  const bodyless = method === 'GET' || method === 'HEAD';
  if (!bodyless && (route.op.requestBody !== undefined || rng.chance(0.3))) {
    const hostile = rng.pick(variants);
    labels.push(hostile.label);
    body = hostile.body;
    headers['content-type'] = hostile.contentType ?? 'application/json';
  }
  return {
    label: labels.length > 0 ? labels.join(', ') : 'plain',
    method,
    url: `${path}${query}`,
    headers,
    body,
  };
}

/**
 * Requests for the HTTP layer, written byte for byte over a socket: what a parser must
 * refuse (or accept) before any route sees it.
 */
export function rawCases(
  rng: Prng,
  paths: readonly string[],
): { label: string; request: string }[] {
  const path = (): string => rng.pick(paths);
  const fixed: { label: string; request: string }[] = [
    { label: 'unknown method', request: `FOO ${path()} HTTP/1.1\r\nHost: x\r\n\r\n` },
    { label: 'lower-case method', request: `get ${path()} HTTP/1.1\r\nHost: x\r\n\r\n` },
    { label: 'PROPFIND', request: `PROPFIND ${path()} HTTP/1.1\r\nHost: x\r\n\r\n` },
    { label: 'TRACE', request: `TRACE ${path()} HTTP/1.1\r\nHost: x\r\n\r\n` },
    {
      label: 'control byte in a header value',
      request: `GET ${path()} HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n`,
    },
    {
      label: 'DEL in a header value',
      request: `GET ${path()} HTTP/1.1\r\nHost: x\r\nX-A: a\x7fb\r\n\r\n`,
    },
    {
      label: 'NUL in a header value',
      request: `GET ${path()} HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n`,
    },
    {
      label: 'space in a header name',
      request: `GET ${path()} HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n`,
    },
    { label: 'space before the colon', request: `GET ${path()} HTTP/1.1\r\nHost : x\r\n\r\n` },
    {
      label: 'obsolete line folding',
      request: `GET ${path()} HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n`,
    },
    { label: 'bare LF line endings', request: `GET ${path()} HTTP/1.1\nHost: x\n\n` },
    {
      label: 'latin-1 byte in a header value',
      request: `GET ${path()} HTTP/1.1\r\nHost: x\r\nX-A: caf\xe9\r\n\r\n`,
    },
    {
      label: 'Content-Length and Transfer-Encoding',
      request: `POST ${path()} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    },
    {
      label: 'two different Content-Lengths',
      request: `POST ${path()} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
    },
    {
      label: 'negative Content-Length',
      request: `POST ${path()} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}`,
    },
    {
      label: 'bad chunk size',
      request: `POST ${path()} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    },
    {
      label: 'Transfer-Encoding gzip',
      request: `POST ${path()} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip\r\n\r\n{}`,
    },
    {
      label: 'Content-Encoding gzip on a plain body',
      request: `POST ${path()} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\n\r\n{}`,
    },
    {
      label: 'headers above the limit',
      request: `GET ${path()} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    },
    {
      label: '200 headers',
      request: `GET ${path()} HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 200 }, (_, i) => `X-${String(i)}: 1\r\n`).join('')}\r\n`,
    },
    { label: 'no Host', request: `GET ${path()} HTTP/1.1\r\n\r\n` },
    { label: 'two Hosts', request: `GET ${path()} HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n` },
    { label: 'HTTP/1.0 without Host', request: `GET ${path()} HTTP/1.0\r\n\r\n` },
    { label: 'HTTP/9.9', request: `GET ${path()} HTTP/9.9\r\nHost: x\r\n\r\n` },
    { label: 'HTTP/2 preface', request: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n' },
    { label: 'asterisk target', request: 'GET * HTTP/1.1\r\nHost: x\r\n\r\n' },
    { label: 'absolute-form target', request: `GET http://x${path()} HTTP/1.1\r\nHost: x\r\n\r\n` },
    { label: 'no leading slash', request: 'GET health/live HTTP/1.1\r\nHost: x\r\n\r\n' },
    { label: 'NUL in the target', request: `GET ${path()}%00 HTTP/1.1\r\nHost: x\r\n\r\n` },
    { label: '10 KB target', request: `GET /${'a'.repeat(10_000)} HTTP/1.1\r\nHost: x\r\n\r\n` },
    {
      label: 'Expect: bogus',
      request: `POST ${path()} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: bogus\r\nContent-Length: 2\r\n\r\n{}`,
    },
    {
      label: 'Expect: 100-continue',
      request: `POST ${path()} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}`,
    },
    {
      label: 'websocket upgrade',
      request: `GET ${path()} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    },
    {
      label: 'h2c upgrade',
      request: `GET ${path()} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n`,
    },
    { label: 'CONNECT', request: 'CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n' },
  ];
  return fixed;
}
