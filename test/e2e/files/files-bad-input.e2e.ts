// Bad input to the file routes: each a clear 4xx problem+json with a stable code, never a 500,
// and nothing stored changes (no quota, no session room, no file, no object).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import {
  api,
  complete,
  declare,
  declareBody,
  declared,
  expectStatus,
  listFiles,
  putTo,
  requestParts,
  sha256Hex,
  type FileBody,
  type MultipartUpload,
  type SingleUpload,
} from '../../support/upload-client.js';
import { expectProblem } from '../http/problem-assert.js';
import {
  GENEROUS_LIMITS,
  objectExists,
  ownerWithSession,
  storageKey,
  type Shared,
} from './files-fixtures.js';

const MIB = 1024 * 1024;
const bytes = Buffer.from('valid contents');
const good = declareBody({ bytes, name: 'ok.txt' });
const SHA = sha256Hex(bytes);

type Case = [label: string, body: unknown, status: number, code: string];

const DECLARES: Case[] = [
  ['size as a string', { ...good, size: '14' }, 400, 'VALIDATION_FAILED'],
  ['negative size', { ...good, size: -1 }, 400, 'VALIDATION_FAILED'],
  ['fractional size', { ...good, size: 1.5 }, 400, 'VALIDATION_FAILED'],
  ['no size', { ...good, size: undefined }, 400, 'VALIDATION_FAILED'],
  ['size beyond the session limit', { ...good, size: 2 * MIB + 1 }, 413, 'PAYLOAD_TOO_LARGE'],
  ['size beyond any number', { ...good, size: 1e300 }, 413, 'PAYLOAD_TOO_LARGE'],
  ['upper-case sha256', { ...good, sha256: SHA.toUpperCase() }, 400, 'VALIDATION_FAILED'],
  ['short sha256', { ...good, sha256: SHA.slice(1) }, 400, 'VALIDATION_FAILED'],
  ['non-hex sha256', { ...good, sha256: `${SHA.slice(1)}g` }, 400, 'VALIDATION_FAILED'],
  [
    'base64 sha256',
    { ...good, sha256: Buffer.from(SHA, 'hex').toString('base64') },
    400,
    'VALIDATION_FAILED',
  ],
  ['sha256 as a number', { ...good, sha256: 12 }, 400, 'VALIDATION_FAILED'],
  [
    'content type with parameters',
    { ...good, contentType: 'text/plain; charset=utf-8' },
    415,
    'UNSUPPORTED_MEDIA_TYPE',
  ],
  ['garbage content type', { ...good, contentType: 'not a type' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ['wildcard content type', { ...good, contentType: 'image/*' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ['empty content type', { ...good, contentType: '' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
  [
    'content type with a newline',
    { ...good, contentType: 'text/plain\r\nx-evil: 1' },
    415,
    'UNSUPPORTED_MEDIA_TYPE',
  ],
  [
    'blocked content type',
    { ...good, contentType: 'application/x-msdownload' },
    415,
    'UNSUPPORTED_MEDIA_TYPE',
  ],
  ['content type as an object', { ...good, contentType: { $ne: '' } }, 400, 'VALIDATION_FAILED'],
  ['a name of dots', { ...good, name: '...' }, 400, 'VALIDATION_FAILED'],
  ['a name of spaces', { ...good, name: '   ' }, 400, 'VALIDATION_FAILED'],
  ['a name of dots and spaces', { ...good, name: ' . . ' }, 400, 'VALIDATION_FAILED'],
  [
    'a name of invisible characters',
    { ...good, name: '\u202E\u200B\u0007' },
    400,
    'VALIDATION_FAILED',
  ],
  ['an empty name', { ...good, name: '' }, 400, 'VALIDATION_FAILED'],
  ['an endless name', { ...good, name: 'a'.repeat(5000) }, 400, 'VALIDATION_FAILED'],
  ['a name as an array', { ...good, name: ['a.txt'] }, 400, 'VALIDATION_FAILED'],
  ['an unknown field', { ...good, storageKey: '../../other' }, 400, 'VALIDATION_FAILED'],
  ['an array body', [good], 400, 'VALIDATION_FAILED'],
  ['malformed JSON', '{"name": "a.txt",', 400, 'BAD_REQUEST'],
];

describe('files: bad input', () => {
  let t: TestApp;
  let shared: Shared;

  before(async () => {
    t = await startTestApp({
      env: { ...GENEROUS_LIMITS, MULTIPART_THRESHOLD_BYTES: String(8 * MIB) },
    });
    shared = await ownerWithSession(t.baseUrl, { limits: { maxFileBytes: 2 * MIB } });
  });
  after(async () => {
    await t.close();
  });

  const nothingStored = async () => {
    const { owner, session } = shared;
    const quota = await expectStatus<{ files: { used: number }; bytes: { used: number } }>(
      await api(t.baseUrl, 'GET', '/v1/quota', owner.token),
      200,
    );
    return { quota: [quota.files.used, quota.bytes.used], session: session.id };
  };

  it('answers every malformed declare with its 4xx, storing nothing', async () => {
    const { owner, session } = shared;
    const before = await nothingStored();
    for (const [label, body, status, code] of DECLARES) {
      const res = await declare(t.baseUrl, owner.token, session.id, body);
      const problem = await expectProblem(res, status, code).catch((err: unknown) => {
        throw new Error(`${label}: ${String(err)}`);
      });
      if (code === 'VALIDATION_FAILED' && label.includes('name') && label !== 'an unknown field') {
        assert.ok(
          problem.errors?.some((e) => e.field === 'name'),
          label,
        );
      }
    }
    assert.deepEqual(await nothingStored(), before);
    const listed = await expectStatus<{ items: FileBody[] }>(
      await listFiles(t.baseUrl, owner.token, session.id),
      200,
    );
    assert.deepEqual(listed.items, []);
  });

  it('stores an upper-case content type lower-cased', async () => {
    const { owner, session } = shared;
    const { file } = await declared<SingleUpload>(
      t.baseUrl,
      owner.token,
      session.id,
      { bytes, contentType: 'Text/Plain' },
      'single',
    );
    assert.equal(file.contentType, 'text/plain');
  });

  it('refuses a body of the wrong size at storage; complete then finds nothing (409)', async () => {
    const { owner, session } = shared;
    const { file, upload } = await declared<SingleUpload>(
      t.baseUrl,
      owner.token,
      session.id,
      { bytes },
      'single',
    );
    const shorter = bytes.subarray(1);
    const res = await putTo(upload, shorter, { 'content-length': String(shorter.length) });
    assert.equal(res.status, 403, await res.text());
    await expectProblem(await complete(t.baseUrl, owner.token, file.id), 409, 'UPLOAD_INCOMPLETE');
    assert.equal(await objectExists(t.backends, storageKey(session.id, file.id)), false);
  });

  it('refuses bad part requests and complete bodies', async () => {
    const { owner, session } = shared;
    const big = await ownerWithSession(t.baseUrl);
    const multipart = await declared<MultipartUpload>(
      t.baseUrl,
      big.owner.token,
      big.session.id,
      { bytes: Buffer.alloc(0), size: 20 * MIB, sha256: SHA },
      'multipart',
    );
    assert.equal(multipart.upload.partCount, 3);
    const id = multipart.file.id;
    const token = big.owner.token;
    const part = (partNumber: unknown, sha256: unknown = SHA) => ({ partNumber, sha256 });
    const partCases: [string, unknown][] = [
      ['no parts', { parts: [] }],
      ['101 parts', { parts: Array.from({ length: 101 }, (_, i) => part((i % 3) + 1)) }],
      ['part 0', { parts: [part(0)] }],
      ['part beyond the plan', { parts: [part(4)] }],
      ['fractional part', { parts: [part(1.5)] }],
      ['part as a string', { parts: [part('1')] }],
      ['repeated part', { parts: [part(1), part(1)] }],
      ['upper-case part sha256', { parts: [part(1, SHA.toUpperCase())] }],
      ['missing part sha256', { parts: [{ partNumber: 1 }] }],
      ['a part that is not an object', { parts: [1] }],
      ['parts not an array', { parts: { partNumber: 1 } }],
      ['unknown field', { parts: [part(1)], uploadId: 'x' }],
    ];
    for (const [label, body] of partCases) {
      const res = await api(t.baseUrl, 'POST', `/v1/files/${id}/parts`, token, body);
      await expectProblem(res, 400, 'VALIDATION_FAILED').catch((err: unknown) => {
        throw new Error(`${label}: ${String(err)}`);
      });
    }
    const completeCases: [string, unknown][] = [
      ['parts not an array', { parts: 'all' }],
      ['a part without etag', { parts: [{ partNumber: 1 }] }],
      ['a part number beyond S3', { parts: [{ partNumber: 10_001, etag: '"a"' }] }],
      ['unknown field', { force: true }],
      ['a forged part list', { parts: [{ partNumber: 1, etag: '"0123"' }] }],
    ];
    for (const [label, body] of completeCases) {
      const res = await complete(t.baseUrl, token, id, body);
      const status = label === 'a forged part list' ? 409 : 400;
      const code = status === 409 ? 'UPLOAD_INCOMPLETE' : 'VALIDATION_FAILED';
      await expectProblem(res, status, code).catch((err: unknown) => {
        throw new Error(`${label}: ${String(err)}`);
      });
    }
    assert.equal(
      (await expectStatus<FileBody>(await api(t.baseUrl, 'GET', `/v1/files/${id}`, token), 200))
        .status,
      'pending',
    );

    // A single upload has no parts, and completes without a part list.
    const single = await declared<SingleUpload>(
      t.baseUrl,
      owner.token,
      session.id,
      { bytes },
      'single',
    );
    await expectProblem(
      await requestParts(t.baseUrl, owner.token, single.file.id, [
        part(1) as { partNumber: number; sha256: string },
      ]),
      409,
      'CONFLICT',
    );
    await expectProblem(
      await complete(t.baseUrl, owner.token, single.file.id, {
        parts: [{ partNumber: 1, etag: '"a"' }],
      }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('answers malformed and unknown ids with 404', async () => {
    const { owner, session } = shared;
    for (const id of ['x', 'a'.repeat(22), '..%2F..%2Fetc', 'A'.repeat(60)]) {
      await expectProblem(
        await api(t.baseUrl, 'GET', `/v1/files/${id}`, owner.token),
        404,
        'NOT_FOUND',
      );
      await expectProblem(await complete(t.baseUrl, owner.token, id), 404, 'NOT_FOUND');
      await expectProblem(
        await api(t.baseUrl, 'POST', `/v1/files/${id}/downloads`, owner.token),
        404,
        'NOT_FOUND',
      );
      await expectProblem(await declare(t.baseUrl, owner.token, id, good), 404, 'NOT_FOUND');
    }
    for (const query of [
      '?limit=0',
      '?limit=101',
      '?limit=1.5',
      '?cursor=%%%',
      '?cursor=bm9wZQ',
      '?extra=1',
    ]) {
      const res = await listFiles(t.baseUrl, owner.token, session.id, query);
      await expectProblem(res, 400, 'VALIDATION_FAILED').catch((err: unknown) => {
        throw new Error(`${query}: ${String(err)}`);
      });
    }
  });
});
