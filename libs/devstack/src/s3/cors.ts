// Bucket CORS as S3 applies it: the first rule matching origin, method and every requested
// header answers a preflight; actual requests with a matching Origin get the allow headers.
import type { OutgoingHttpHeaders } from 'node:http';
import { S3Error } from './errors.js';
import { children, parseXml, text, texts, type XmlObject } from './xml.js';

export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

const CORS_METHODS = new Set(['GET', 'PUT', 'HEAD', 'POST', 'DELETE']);
const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';

/** Parses and validates a PutBucketCors body. */
export function parseCorsConfiguration(body: string): CorsRule[] {
  const doc = parseXml(body, 'CORSConfiguration');
  const rules = children(doc, 'CORSRule').map((node): CorsRule => {
    const allowedOrigins = texts(node, 'AllowedOrigin');
    const allowedMethods = texts(node, 'AllowedMethod');
    if (allowedOrigins.length === 0 || allowedMethods.length === 0)
      throw new S3Error('MalformedXML');
    for (const m of allowedMethods) {
      if (!CORS_METHODS.has(m)) {
        throw new S3Error(
          'InvalidRequest',
          `Found unsupported HTTP method in CORS config. Unsupported method is ${m}`,
        );
      }
    }
    for (const o of allowedOrigins) {
      if (o.split('*').length > 2) {
        throw new S3Error(
          'InvalidRequest',
          `AllowedOrigin "${o}" can not have more than one wildcard.`,
        );
      }
    }
    const allowedHeaders = texts(node, 'AllowedHeader');
    for (const h of allowedHeaders) {
      if (h.split('*').length > 2) {
        throw new S3Error(
          'InvalidRequest',
          `AllowedHeader "${h}" can not have more than one wildcard.`,
        );
      }
    }
    const maxAge = text(node, 'MaxAgeSeconds');
    if (maxAge !== undefined && !/^\d+$/.test(maxAge)) throw new S3Error('MalformedXML');
    return {
      id: text(node, 'ID'),
      allowedOrigins,
      allowedMethods,
      allowedHeaders,
      exposeHeaders: texts(node, 'ExposeHeader'),
      maxAgeSeconds: maxAge === undefined ? undefined : Number(maxAge),
    };
  });
  if (rules.length === 0) throw new S3Error('MalformedXML');
  if (rules.length > 100)
    throw new S3Error(
      'InvalidRequest',
      'The number of CORS rules should not exceed allowed limit of 100 rules.',
    );
  return rules;
}

export function renderCorsConfiguration(rules: readonly CorsRule[]): XmlObject {
  return {
    CORSRule: rules.map((r) => ({
      ID: r.id,
      AllowedHeader: r.allowedHeaders,
      AllowedMethod: r.allowedMethods,
      AllowedOrigin: r.allowedOrigins,
      ExposeHeader: r.exposeHeaders,
      MaxAgeSeconds: r.maxAgeSeconds,
    })),
  };
}

/** Matches `value` against a pattern with at most one `*` wildcard. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  const star = p.indexOf('*');
  if (star < 0) return p === v;
  const prefix = p.slice(0, star);
  const suffix = p.slice(star + 1);
  return v.length >= prefix.length + suffix.length && v.startsWith(prefix) && v.endsWith(suffix);
}

/** The first rule allowing origin, method and every requested header, if any. */
export function matchRule(
  rules: readonly CorsRule[],
  origin: string,
  method: string,
  requestHeaders: readonly string[] = [],
): CorsRule | undefined {
  return rules.find(
    (r) =>
      r.allowedOrigins.some((o) => wildcardMatch(o, origin)) &&
      r.allowedMethods.includes(method) &&
      requestHeaders.every((h) => r.allowedHeaders.some((a) => wildcardMatch(a, h, true))),
  );
}

function allowHeaders(rule: CorsRule, origin: string): OutgoingHttpHeaders {
  const wildcard = rule.allowedOrigins.includes('*');
  const headers: OutgoingHttpHeaders = {
    'access-control-allow-origin': wildcard ? '*' : origin,
    'access-control-allow-methods': rule.allowedMethods.join(', '),
    vary: VARY,
  };
  if (!wildcard) headers['access-control-allow-credentials'] = 'true';
  if (rule.exposeHeaders.length > 0)
    headers['access-control-expose-headers'] = rule.exposeHeaders.join(', ');
  if (rule.maxAgeSeconds !== undefined)
    headers['access-control-max-age'] = String(rule.maxAgeSeconds);
  return headers;
}

/** Parses `Access-Control-Request-Headers` into header names. */
export function requestedHeaders(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
}

/** Answers a preflight: the headers to send with 200, or throws 400/403 like S3. */
export function preflight(
  rules: readonly CorsRule[] | undefined,
  origin: string | undefined,
  method: string | undefined,
  rawHeaders: string | undefined,
): OutgoingHttpHeaders {
  if (!origin)
    throw new S3Error('BadRequest', 'Insufficient information. Origin request header needed.');
  if (!method) throw new S3Error('BadRequest', 'Invalid Access-Control-Request-Method: null');
  if (!CORS_METHODS.has(method))
    throw new S3Error('BadRequest', `Invalid Access-Control-Request-Method: ${method}`);
  if (!rules || rules.length === 0) {
    throw new S3Error('AccessForbidden', 'CORSResponse: CORS is not enabled for this bucket.', {
      Method: method,
      ResourceType: 'BUCKET',
    });
  }
  const requested = requestedHeaders(rawHeaders);
  const rule = matchRule(rules, origin, method, requested);
  if (!rule) {
    throw new S3Error('AccessForbidden', 'CORSResponse: This CORS request is not allowed.', {
      Method: method,
      ResourceType: 'OBJECT',
    });
  }
  const headers = allowHeaders(rule, origin);
  if (requested.length > 0) headers['access-control-allow-headers'] = requested.join(', ');
  return headers;
}

/** CORS headers for an actual (non-preflight) request, or none when no rule matches. */
export function actualRequestHeaders(
  rules: readonly CorsRule[] | undefined,
  origin: string | undefined,
  method: string,
): OutgoingHttpHeaders {
  if (!rules || !origin) return {};
  const rule = matchRule(rules, origin, method);
  return rule ? allowHeaders(rule, origin) : {};
}
