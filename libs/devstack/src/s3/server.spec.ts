// Behaviour at the HTTP and disk level that clients rarely exercise: truncated bodies, keys that
// look like paths, persistence across restarts, unimplemented features refused with 501.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startS3Server, type S3ServerHandle } from './index.js';
import {
  EMPTY_SHA256,
  canonicalQueryString,
  chunkStringToSign,
  hmac,
  parseQuery,
  sha256Hex,
  signingKey,
  uriEncode,
} from './sigv4.js';

/** A minimal presigner (the SDK's presigner is exercised by the conformance suite). */
function presign(s3: S3ServerHandle, method: string, path: string, extraQuery = ''): string {
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const date = amzDate.slice(0, 8);
  const scope = `${date}/${s3.region}/s3/aws4_request`;
  const host = new URL(s3.endpoint).host;
  const query = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(`${s3.credentials.accessKeyId}/${scope}`)}&X-Amz-Date=${amzDate}&X-Amz-Expires=300&X-Amz-SignedHeaders=host${extraQuery}`;
  const canonical = [
    method,
    uriEncode(path, true),
    canonicalQueryString(parseQuery(query)),
    `host:${host}\n`,
    'host',
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
  const signature = hmac(
    signingKey(s3.credentials.secretAccessKey, date, s3.region, 's3'),
    toSign,
  ).toString('hex');
  return `${s3.endpoint}${uriEncode(path, true)}?${query}&X-Amz-Signature=${signature}`;
}

/** node:http keeps `..` segments verbatim, as S3 SDKs do (fetch would normalise them away). */
function send(
  method: string,
  url: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const raw = url.slice(url.indexOf('/', 'http://'.length));
    const req = request({ host: u.hostname, port: u.port, method, path: raw }, (res) => {
      let text = '';
      res.on('data', (d) => (text += String(d)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A header-signed STREAMING-AWS4-HMAC-SHA256-PAYLOAD upload, built by hand: the SDK only sends
 * this mode over HTTPS, but other clients (Java SDK v1, MinIO clients) use it over HTTP.
 */
function streamingPut(
  s3: S3ServerHandle,
  path: string,
  chunks: Buffer[],
  tamper = false,
): Promise<{ status: number; text: string }> {
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const date = amzDate.slice(0, 8);
  const scope = `${date}/${s3.region}/s3/aws4_request`;
  const key = signingKey(s3.credentials.secretAccessKey, date, s3.region, 's3');
  const host = new URL(s3.endpoint).host;
  const decoded = chunks.reduce((n, c) => n + c.length, 0);
  const headers: Array<[string, string]> = [
    ['content-encoding', 'aws-chunked'],
    ['host', host],
    ['x-amz-content-sha256', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD'],
    ['x-amz-date', amzDate],
    ['x-amz-decoded-content-length', String(decoded)],
  ];
  const signed = headers.map(([n]) => n).join(';');
  const canonical = [
    'PUT',
    uriEncode(path, true),
    '',
    headers.map(([n, v]) => `${n}:${v}\n`).join(''),
    signed,
    'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  ].join('\n');
  let previous = hmac(
    key,
    ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n'),
  ).toString('hex');
  const authorization = `AWS4-HMAC-SHA256 Credential=${s3.credentials.accessKeyId}/${scope},SignedHeaders=${signed},Signature=${previous}`;
  const parts: Buffer[] = [];
  for (const chunk of [...chunks, Buffer.alloc(0)]) {
    previous = hmac(
      key,
      chunkStringToSign(
        amzDate,
        scope,
        previous,
        chunk.length === 0 ? EMPTY_SHA256 : sha256Hex(chunk),
      ),
    ).toString('hex');
    const data = tamper && chunk.length > 0 ? Buffer.from(chunk).fill(0x7a, 0, 1) : chunk;
    parts.push(
      Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`),
      data,
      Buffer.from('\r\n'),
    );
  }
  const body = Buffer.concat(parts);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: s3.port,
        method: 'PUT',
        path,
        headers: { ...Object.fromEntries(headers), authorization, 'content-length': body.length },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += String(d)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    out.push(...(entry.isDirectory() ? await walk(path) : [path]));
  }
  return out;
}

describe('S3 server', () => {
  let dataDir: string;
  let s3: S3ServerHandle;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 's3-server-spec-'));
    s3 = await startS3Server({ dataDir });
    assert.equal((await fetch(presign(s3, 'PUT', '/bucket-one'), { method: 'PUT' })).status, 200);
  });

  after(async () => {
    await s3.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps keys that look like paths inside the data directory and round-trips them', async () => {
    const key = '/bucket-one/../../escape/ sp ace/ü/..';
    const put = await send('PUT', presign(s3, 'PUT', key), 'payload');
    assert.equal(put.status, 200, put.text);
    assert.equal((await send('GET', presign(s3, 'GET', key))).text, 'payload');
    const files = await walk(dataDir);
    assert.ok(
      files.every((f) => f.startsWith(join(dataDir, 'buckets', 'bucket-one'))),
      files.join('\n'),
    );
    assert.ok(files.every((f) => !f.includes('escape')));
  });

  it('answers a body cut short by the client with IncompleteBody and stores nothing', async () => {
    const url = new URL(presign(s3, 'PUT', '/bucket-one/short'));
    const response = await new Promise<string>((resolve) => {
      const socket = connect(s3.port, '127.0.0.1');
      let text = '';
      socket.on('data', (d) => (text += String(d)));
      socket.on('close', () => resolve(text));
      socket.end(
        `PUT ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: 100\r\n\r\n${'x'.repeat(40)}`,
      );
    });
    assert.match(response, /^HTTP\/1\.1 400/);
    assert.match(response, /<Code>IncompleteBody<\/Code>/);
    assert.equal(
      (await fetch(presign(s3, 'HEAD', '/bucket-one/short'), { method: 'HEAD' })).status,
      404,
    );
  });

  it('accepts a signed aws-chunked upload and stores the decoded bytes', async () => {
    const chunks = [Buffer.alloc(70_000, 'a'), Buffer.alloc(1000, 'b')];
    const put = await streamingPut(s3, '/bucket-one/chunked', chunks);
    assert.equal(put.status, 200, put.text);
    const got = await (await fetch(presign(s3, 'GET', '/bucket-one/chunked'))).arrayBuffer();
    assert.ok(Buffer.concat(chunks).equals(Buffer.from(got)));
  });

  it('answers a tampered aws-chunked chunk with 403 SignatureDoesNotMatch and stores nothing', async () => {
    const put = await streamingPut(s3, '/bucket-one/tampered', [Buffer.alloc(70_000, 'a')], true);
    assert.equal(put.status, 403);
    assert.match(put.text, /<Code>SignatureDoesNotMatch<\/Code>/);
    assert.equal(
      (await fetch(presign(s3, 'HEAD', '/bucket-one/tampered'), { method: 'HEAD' })).status,
      404,
    );
  });

  it('refuses unimplemented subresources with 501 instead of ignoring them', async () => {
    const res = await fetch(presign(s3, 'GET', '/bucket-one', '&versioning='));
    assert.equal(res.status, 501);
    assert.match(await res.text(), /<Code>NotImplemented<\/Code>/);
  });

  it('keeps objects across a restart on the same data directory', async () => {
    await fetch(presign(s3, 'PUT', '/bucket-one/kept'), { method: 'PUT', body: 'still here' });
    await s3.stop();
    s3 = await startS3Server({ dataDir });
    assert.equal(await (await fetch(presign(s3, 'GET', '/bucket-one/kept'))).text(), 'still here');
  });
});
