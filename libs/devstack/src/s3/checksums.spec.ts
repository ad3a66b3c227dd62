import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { S3Error } from './errors.js';
import {
  Checksummer,
  checksumOf,
  compositeChecksum,
  isValidDigest,
  parseAlgorithm,
} from './checksums.js';

const hex = (b64: string): string => Buffer.from(b64, 'base64').toString('hex');

describe('checksums', () => {
  it('computes the standard check values for CRC32 and CRC32C', () => {
    assert.equal(hex(checksumOf('CRC32', Buffer.from('123456789'))), 'cbf43926');
    assert.equal(hex(checksumOf('CRC32C', Buffer.from('123456789'))), 'e3069283');
    assert.equal(hex(checksumOf('CRC64NVME', Buffer.from('123456789'))), 'ae8b14860a799888');
  });

  it('gives the same digest fed incrementally', () => {
    const c = new Checksummer('CRC32C');
    for (const piece of ['1234', '56', '789']) c.update(Buffer.from(piece));
    assert.equal(c.digest().toString('hex'), 'e3069283');
  });

  it('builds S3 composite checksums from the raw part digests', () => {
    const parts = ['part one', 'part two'].map((p) => createHash('sha256').update(p).digest());
    const expected = createHash('sha256').update(Buffer.concat(parts)).digest('base64');
    assert.equal(
      compositeChecksum(
        'SHA256',
        parts.map((p) => p.toString('base64')),
      ),
      `${expected}-2`,
    );
  });

  it('validates digest shapes and refuses unknown or unsupported algorithms loudly', () => {
    assert.ok(isValidDigest('SHA256', createHash('sha256').digest('base64')));
    assert.ok(!isValidDigest('SHA256', 'AAAA'));
    assert.equal(parseAlgorithm('sha256'), 'SHA256');
    assert.throws(
      () => parseAlgorithm('md4'),
      (e) => e instanceof S3Error && e.code === 'InvalidRequest',
    );
    assert.equal(parseAlgorithm('crc64nvme'), 'CRC64NVME');
  });
});
