// What clients and networks really do: a browser tab closed mid-upload, a stalled upload next to
// healthy traffic, a wrong region or clock, garbage XML. Each must end in S3's error, nothing
// half-stored, and a server that keeps answering.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import aws4 from 'aws4';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { presignPut, upload } from './presign.js';
import {
  failure,
  headStatus,
  openTarget,
  productClient,
  sdkRejection,
  uniqueKey,
  type Target,
} from './support.js';

/** Opens a raw connection and sends a presigned PUT's head plus only part of its body. */
async function partialPut(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
  sent: number,
) {
  const u = new URL(url);
  const socket: Socket = connect(Number(u.port), u.hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve).once('error', reject);
  });
  const lines = [
    `PUT ${u.pathname}${u.search} HTTP/1.1`,
    `host: ${u.host}`,
    `content-length: ${String(body.byteLength)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  socket.write(body.subarray(0, sent));
  return socket;
}

describe('robustness', () => {
  let target: Target;
  before(async () => {
    target = await openTarget('robust');
  });
  after(() => target.close());

  /** A request signed by hand (aws4), for bodies the SDK would never produce. */
  const signedFetch = (method: string, path: string, body: string, extra = {}) => {
    const u = new URL(target.endpoint);
    const signed = aws4.sign(
      {
        host: u.host,
        path: `/${target.bucket}${path}`,
        method,
        service: 's3',
        region: target.region,
        body,
        headers: { 'content-type': 'application/xml', ...extra },
      },
      target.credentials,
    );
    const headers = Object.fromEntries(
      Object.entries(signed.headers ?? {}).map(([k, v]) => [k, String(v)]),
    );
    return fetch(`${target.endpoint}${signed.path ?? ''}`, { method, headers, body });
  };

  it('an upload cut off mid-body stores nothing and the key stays writable', async () => {
    const key = uniqueKey('robust/cut');
    const body = randomBytes(256 * 1024);
    const req = await presignPut(target, key, body, { ifNoneMatch: true });
    const socket = await partialPut(req.url, req.headers, body, 100 * 1024);
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await headStatus(target, key), 404);

    const retry = await upload(req, body);
    assert.equal(retry.status, 200, await retry.text());
    assert.equal(await headStatus(target, key), 200);
  });

  it('a stalled upload does not hold up other requests', async () => {
    const key = uniqueKey('robust/stalled');
    const body = randomBytes(64 * 1024);
    const req = await presignPut(target, key, body);
    const socket = await partialPut(req.url, req.headers, body, 1024);
    try {
      await target.client.send(
        new PutObjectCommand({ Bucket: target.bucket, Key: `${key}.other`, Body: 'fine' }),
      );
      const got = await target.client.send(
        new GetObjectCommand({ Bucket: target.bucket, Key: `${key}.other` }),
      );
      assert.equal(await got.Body?.transformToString(), 'fine');
      assert.equal(await headStatus(target, key), 404, 'the stalled object is not visible');
    } finally {
      socket.destroy();
    }
  });

  it('a request signed for another region is 400 AuthorizationHeaderMalformed', async () => {
    const other = target.region === 'eu-west-3' ? 'eu-west-2' : 'eu-west-3';
    const client = productClient(target.endpoint, other, target.credentials);
    try {
      const err = await sdkRejection(
        client.send(new GetObjectCommand({ Bucket: target.bucket, Key: 'robust/any' })),
      );
      assert.deepEqual(err, { status: 400, code: 'AuthorizationHeaderMalformed' });
    } finally {
      client.destroy();
    }
  });

  it('a request signed 20 minutes ago is 403 RequestTimeTooSkewed', async () => {
    const u = new URL(target.endpoint);
    const opts = {
      host: u.host,
      path: `/${target.bucket}/robust/any`,
      method: 'GET',
      service: 's3',
      region: target.region,
      headers: {
        'x-amz-date': new Date(Date.now() - 20 * 60_000).toISOString().replace(/[:-]|\.\d{3}/g, ''),
      },
    };
    const signed = aws4.sign(opts, target.credentials);
    const headers = Object.fromEntries(
      Object.entries(signed.headers ?? {}).map(([k, v]) => [k, String(v)]),
    );
    const res = await fetch(`${target.endpoint}${signed.path ?? ''}`, { headers });
    assert.deepEqual(await failure(res), { status: 403, code: 'RequestTimeTooSkewed' });
  });

  it('malformed XML bodies are 400 MalformedXML', async () => {
    const garbage = '<Delete><Object><Key>a</Key></Object'; // truncated
    const md5 = createHash('md5').update(garbage).digest('base64');
    const del = await signedFetch('POST', '?delete=', garbage, { 'content-md5': md5 });
    assert.deepEqual(await failure(del), { status: 400, code: 'MalformedXML' });

    const cors = await signedFetch('PUT', '?cors=', '<CORSConfiguration><CORSRule>', {
      'content-md5': createHash('md5').update('<CORSConfiguration><CORSRule>').digest('base64'),
    });
    assert.deepEqual(await failure(cors), { status: 400, code: 'MalformedXML' });
  });

  it('a body whose x-amz-content-sha256 does not match is refused', async () => {
    const res = await signedFetch('PUT', '/robust/payload-hash', 'the real body', {
      'x-amz-content-sha256': createHash('sha256').update('another body').digest('hex'),
    });
    assert.deepEqual(await failure(res), { status: 400, code: 'XAmzContentSHA256Mismatch' });
    assert.equal(await headStatus(target, 'robust/payload-hash'), 404);
  });
});
