import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  actualRequestHeaders,
  parseCorsConfiguration,
  preflight,
  wildcardMatch,
  type CorsRule,
} from './cors.js';
import { S3Error } from './errors.js';

const rules: CorsRule[] = [
  {
    allowedOrigins: ['https://*.example.com'],
    allowedMethods: ['PUT', 'GET'],
    allowedHeaders: ['Content-Type', 'x-amz-*'],
    exposeHeaders: ['ETag'],
    maxAgeSeconds: 300,
  },
  { allowedOrigins: ['*'], allowedMethods: ['GET'], allowedHeaders: [], exposeHeaders: [] },
];
const isCode = (code: string) => (e: unknown) => e instanceof S3Error && e.code === code;

describe('CORS', () => {
  it('matches a single wildcard', () => {
    assert.ok(wildcardMatch('https://*.example.com', 'https://app.example.com'));
    assert.ok(!wildcardMatch('https://*.example.com', 'https://example.org'));
    assert.ok(wildcardMatch('X-Amz-*', 'x-amz-date', true));
  });

  it('answers a matching preflight with the first matching rule', () => {
    const h = preflight(
      rules,
      'https://app.example.com',
      'PUT',
      'content-type, X-Amz-Checksum-Sha256',
    );
    assert.equal(h['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(h['access-control-allow-methods'], 'PUT, GET');
    assert.equal(h['access-control-allow-headers'], 'content-type, X-Amz-Checksum-Sha256');
    assert.equal(h['access-control-expose-headers'], 'ETag');
    assert.equal(h['access-control-max-age'], '300');
    assert.match(String(h.vary), /Origin/);
  });

  it('echoes * for a wildcard-origin rule', () => {
    assert.equal(
      preflight(rules, 'https://anything.test', 'GET', undefined)['access-control-allow-origin'],
      '*',
    );
  });

  it('refuses unmatched origin, method or header with AccessForbidden', () => {
    assert.throws(
      () => preflight(rules, 'https://evil.test', 'PUT', undefined),
      isCode('AccessForbidden'),
    );
    assert.throws(
      () => preflight(rules, 'https://app.example.com', 'DELETE', undefined),
      isCode('AccessForbidden'),
    );
    assert.throws(
      () => preflight(rules, 'https://app.example.com', 'PUT', 'authorization'),
      isCode('AccessForbidden'),
    );
    assert.throws(
      () => preflight(undefined, 'https://app.example.com', 'PUT', undefined),
      isCode('AccessForbidden'),
    );
    assert.throws(() => preflight(rules, undefined, 'PUT', undefined), isCode('BadRequest'));
  });

  it('adds allow headers to actual requests only when a rule matches', () => {
    assert.equal(
      actualRequestHeaders(rules, 'https://app.example.com', 'PUT')['access-control-allow-origin'],
      'https://app.example.com',
    );
    assert.deepEqual(actualRequestHeaders(rules, 'https://evil.test', 'PUT'), {});
  });

  it('parses and validates PutBucketCors documents', () => {
    const parsed = parseCorsConfiguration(
      '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>10</MaxAgeSeconds></CORSRule></CORSConfiguration>',
    );
    assert.deepEqual(parsed[0].allowedMethods, ['GET']);
    assert.equal(parsed[0].maxAgeSeconds, 10);
    assert.throws(
      () =>
        parseCorsConfiguration(
          '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>',
        ),
      isCode('InvalidRequest'),
    );
    assert.throws(
      () => parseCorsConfiguration('<CORSConfiguration><CORSRule>'),
      isCode('MalformedXML'),
    );
  });
});
