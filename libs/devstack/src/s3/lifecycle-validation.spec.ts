import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { S3Error } from './errors.js';
import { validateLifecycleConfiguration } from './lifecycle-validation.js';
import { parseXml } from './xml.js';

const validate = (rules: string) => () =>
  validateLifecycleConfiguration(
    parseXml(`<LifecycleConfiguration>${rules}</LifecycleConfiguration>`, 'LifecycleConfiguration'),
  );
const refusedWith = (code: string) => (err: unknown) => err instanceof S3Error && err.code === code;
const ABORT =
  '<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>';

describe('lifecycle configuration validation', () => {
  it('accepts the shapes the SDK writes: Filter with one condition, And, empty, rule Prefix', () => {
    for (const scope of [
      '<Filter><Prefix>a/</Prefix></Filter>',
      '<Filter><Prefix></Prefix></Filter>',
      '<Filter></Filter>',
      '<Filter><And><Prefix>a/</Prefix><ObjectSizeGreaterThan>1</ObjectSizeGreaterThan></And></Filter>',
      '<Prefix>old/</Prefix>',
    ]) {
      assert.doesNotThrow(
        validate(`<Rule><ID>r</ID>${scope}<Status>Enabled</Status>${ABORT}</Rule>`),
        scope,
      );
    }
  });

  it('refuses a rule scoped twice or not at all, two conditions without And, unknown elements', () => {
    for (const rule of [
      `<Rule><Status>Enabled</Status>${ABORT}</Rule>`,
      `<Rule><Prefix>a</Prefix><Filter></Filter><Status>Enabled</Status>${ABORT}</Rule>`,
      `<Rule><Filter><Prefix>a</Prefix><ObjectSizeLessThan>5</ObjectSizeLessThan></Filter><Status>Enabled</Status>${ABORT}</Rule>`,
      `<Rule><Filter></Filter><Status>Enabled</Status><Frobnicate/>${ABORT}</Rule>`,
      `<Rule><Filter></Filter><Status>enabled</Status>${ABORT}</Rule>`,
      `<Rule><Filter></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload></AbortIncompleteMultipartUpload></Rule>`,
    ]) {
      assert.throws(validate(rule), refusedWith('MalformedXML'), rule);
    }
  });

  it('refuses a non-midnight expiration date and a zero DaysAfterInitiation', () => {
    assert.throws(
      validate(
        '<Rule><Filter></Filter><Status>Enabled</Status><Expiration><Date>2030-01-01T12:00:00Z</Date></Expiration></Rule>',
      ),
      refusedWith('InvalidArgument'),
    );
    assert.throws(
      validate(
        '<Rule><Filter></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>',
      ),
      refusedWith('InvalidArgument'),
    );
    assert.throws(
      validate(
        `<Rule><ID>${'x'.repeat(256)}</ID><Filter></Filter><Status>Enabled</Status>${ABORT}</Rule>`,
      ),
      refusedWith('InvalidArgument'),
    );
  });
});
