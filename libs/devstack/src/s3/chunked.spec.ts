// aws-chunked decoding, checked against AWS's documented STREAMING-AWS4-HMAC-SHA256-PAYLOAD example.
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { AwsChunkedDecoder, type ChunkSigning } from './chunked.js';
import { S3Error } from './errors.js';
import { signingKey } from './sigv4.js';

const signing: ChunkSigning = {
  signingKey: signingKey('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '20130524', 'us-east-1', 's3'),
  amzDate: '20130524T000000Z',
  scope: '20130524/us-east-1/s3/aws4_request',
  seedSignature: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
  signedTrailer: false,
};

const SIGNATURES = [
  'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
  '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
  'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
];

function awsExample(signatures = SIGNATURES): Buffer {
  const a = (n: number): Buffer => Buffer.alloc(n, 'a');
  return Buffer.concat([
    Buffer.from(`10000;chunk-signature=${signatures[0]}\r\n`),
    a(65536),
    Buffer.from('\r\n'),
    Buffer.from(`400;chunk-signature=${signatures[1]}\r\n`),
    a(1024),
    Buffer.from('\r\n'),
    Buffer.from(`0;chunk-signature=${signatures[2]}\r\n\r\n`),
  ]);
}

/** Feeds `body` in small slices (so parsing across chunk boundaries is exercised). */
async function decode(body: Buffer, decoder: AwsChunkedDecoder, slice = 7): Promise<Buffer> {
  const out: Buffer[] = [];
  const pieces: Buffer[] = [];
  for (let i = 0; i < body.length; i += slice) pieces.push(body.subarray(i, i + slice));
  await pipeline(
    Readable.from(pieces),
    decoder,
    new Writable({
      write(c: Buffer, _e, done) {
        out.push(c);
        done();
      },
    }),
  );
  return Buffer.concat(out);
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err) => err instanceof S3Error && err.code === code);
}

describe('aws-chunked decoder', () => {
  it('decodes and verifies the documented signed example', async () => {
    const data = await decode(awsExample(), new AwsChunkedDecoder(signing), 1000);
    assert.equal(data.length, 66560);
    assert.ok(data.every((b) => b === 0x61));
  });

  it('rejects a wrong chunk signature', async () => {
    const bad = [...SIGNATURES];
    bad[1] = bad[1].replace('0055', '0056');
    await rejectsWith(
      decode(awsExample(bad), new AwsChunkedDecoder(signing)),
      'SignatureDoesNotMatch',
    );
  });

  it('rejects chunks that lost their signature in signed mode', async () => {
    const body = Buffer.from('5\r\nhello\r\n0\r\n\r\n');
    await rejectsWith(decode(body, new AwsChunkedDecoder(signing)), 'SignatureDoesNotMatch');
  });

  it('decodes unsigned chunks with a checksum trailer', async () => {
    const decoder = new AwsChunkedDecoder();
    const body = Buffer.from(
      '5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n',
    );
    assert.equal((await decode(body, decoder, 3)).toString(), 'hello world');
    assert.equal(decoder.trailers.get('x-amz-checksum-crc32'), 'DUoRhQ==');
  });

  it('reports a body cut before the final chunk as IncompleteBody', async () => {
    await rejectsWith(decode(Buffer.from('a\r\nhello'), new AwsChunkedDecoder()), 'IncompleteBody');
  });

  it('rejects garbage chunk headers', async () => {
    await rejectsWith(
      decode(Buffer.from('zz\r\nhello\r\n'), new AwsChunkedDecoder()),
      'InvalidRequest',
    );
  });
});
