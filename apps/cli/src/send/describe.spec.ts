import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { downloadedText, isYes } from './describe.ts';

describe('send sentences', () => {
  it('says who downloaded what and how many downloads are left', () => {
    assert.equal(
      downloadedText('report.pdf', 2, 'Chrome on Android'),
      'Chrome on Android downloaded report.pdf (2 left)',
    );
    assert.equal(
      downloadedText('report.pdf', 0, null),
      'report.pdf was downloaded (no downloads left)',
    );
    assert.equal(downloadedText('report.pdf', null, null), 'report.pdf was downloaded');
  });

  it('approves on y or yes only', () => {
    for (const yes of ['y', 'Y', 'yes', ' YES ']) assert.equal(isYes(yes), true, yes);
    for (const no of ['', 'n', 'no', 'yep', 'y y', 'sure']) assert.equal(isYes(no), false, no);
  });
});
