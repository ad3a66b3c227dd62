import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { S3Error } from './errors.js';
import { children, parseXml, renderXml, text } from './xml.js';

describe('xml', () => {
  it('renders nested and repeated elements with escaping', () => {
    const xml = renderXml('ListBucketResult', {
      Name: 'b',
      Contents: [{ Key: 'a&<b>' }, { Key: "it's" }],
      Skip: undefined,
    });
    assert.equal(
      xml,
      '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Contents><Key>a&amp;&lt;b&gt;</Key></Contents><Contents><Key>it&apos;s</Key></Contents></ListBucketResult>',
    );
  });

  it('parses request documents and refuses malformed ones', () => {
    const doc = parseXml('<Delete><Object><Key>a &amp; b</Key></Object></Delete>', 'Delete');
    assert.equal(text(children(doc, 'Object')[0], 'Key'), 'a & b');
    const isMalformed = (e: unknown) => e instanceof S3Error && e.code === 'MalformedXML';
    assert.throws(() => parseXml('<Delete><Object>', 'Delete'), isMalformed);
    assert.throws(() => parseXml('<Other/>', 'Delete'), isMalformed);
    assert.throws(() => parseXml('', 'Delete'), isMalformed);
  });
});
