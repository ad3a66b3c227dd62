import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTarget, TargetError } from './target.ts';

describe('parseTarget', () => {
  it('reads a code with or without its dash, in any case, with spaces', () => {
    for (const input of ['BCDF-GHJK', 'bcdfghjk', ' bcdf ghjk ', 'Bcdf-Ghjk']) {
      assert.deepEqual(parseTarget(input), { kind: 'code', code: 'BCDFGHJK' });
    }
  });

  it('reads the secret of a pairing URL and the server it points at', () => {
    assert.deepEqual(parseTarget('https://share.example.com/pair#s3cr3t-_X'), {
      kind: 'secret',
      secret: 's3cr3t-_X',
      server: 'https://share.example.com',
    });
    assert.deepEqual(parseTarget('http://localhost:3901/pair#abc'), {
      kind: 'secret',
      secret: 'abc',
      server: 'http://localhost:3901',
    });
  });

  it('keeps the path a server is published under', () => {
    const target = parseTarget('https://example.com/sharexpress/pair/#abc');
    assert.equal(target.kind === 'secret' && target.server, 'https://example.com/sharexpress');
  });

  it('refuses a URL without a secret, without echoing it', () => {
    assert.throws(() => parseTarget('https://share.example.com/pair'), TargetError);
    assert.throws(() => parseTarget('https://share.example.com/pair#'), TargetError);
    assert.throws(
      () => parseTarget('https://[bad/pair#topsecret'),
      (error: Error) => error instanceof TargetError && !error.message.includes('topsecret'),
    );
  });

  it('refuses what is neither a code nor a URL', () => {
    for (const input of ['', 'BCDF-GHJ', 'BCDF-GHJKL', 'ftp://x/pair#s', 'BCDF_GHJK']) {
      assert.throws(() => parseTarget(input), TargetError, input);
    }
  });

  it('never echoes terminal control characters', () => {
    assert.throws(
      () => parseTarget('\u001b[31mred'),
      (error: Error) => !error.message.includes('\u001b'),
    );
  });
});
