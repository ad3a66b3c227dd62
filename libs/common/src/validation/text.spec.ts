import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ArgumentMetadata } from '@nestjs/common';
import { AppError } from '../errors/app-error.js';
import {
  codePointLength,
  emailProblem,
  findMalformedText,
  nameProblem,
  normalizeEmail,
  normalizeName,
} from './text.js';
import { WellFormedTextPipe } from './well-formed-text.pipe.js';

const anySyntax = (): boolean => true;

describe('text fields', () => {
  it('normalizes emails with NFKC, trims Unicode spaces and lower-cases', () => {
    assert.equal(normalizeEmail('ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ'), 'ada@example.com');
    assert.equal(normalizeEmail('\u3000 Ada@Example.COM\u00A0'), 'ada@example.com');
    // A BOM is not trimmed away: it is refused.
    assert.equal(normalizeEmail('\uFEFFada@example.com'), '\uFEFFada@example.com');
    // A malformed string is left for the validator to refuse.
    assert.equal(normalizeEmail('\uDFFF'), '\uDFFF');
  });

  it('refuses lone surrogates before the syntax check, which may throw on them', () => {
    const throwing = (): boolean => {
      throw new URIError('URI malformed');
    };
    assert.equal(emailProblem('\uDFFF', throwing), 'must be well-formed Unicode text');
    assert.equal(
      emailProblem('ada\uD83D@example.com', throwing),
      'must be well-formed Unicode text',
    );
  });

  it('refuses invisible, bidi, control and space characters in emails', () => {
    for (const char of [
      '\u200B',
      '\u200C',
      '\u200D',
      '\u200E',
      '\u202E',
      '\u2066',
      '\uFEFF',
      '\u00AD',
      '\u0000',
      '\u001B',
      '\u0085',
      '\u2028',
      ' ',
      '\t',
    ]) {
      assert.match(
        emailProblem(`a${char}da@example.com`, anySyntax) ?? '',
        /must not contain/,
        JSON.stringify(char),
      );
    }
    assert.equal(emailProblem('ada@example.com', anySyntax), undefined);
    assert.equal(
      emailProblem(`${'a'.repeat(243)}@example.com`, anySyntax),
      'must be at most 254 characters long',
    );
    assert.equal(emailProblem(42, anySyntax), 'must be a string');
    assert.equal(emailProblem({ $gt: '' }, anySyntax), 'must be a string');
  });

  it('normalizes names with NFC and keeps emoji ZWJ sequences only', () => {
    assert.equal(normalizeName('  Rene\u0301e  '), 'Ren\u00E9e');
    assert.equal(nameProblem('👩\u200D👩\u200D👧', 100), undefined);
    assert.equal(nameProblem('👍🏽\u200D👍', 100), undefined);
    assert.equal(nameProblem('🏳\uFE0F\u200D🌈', 100), undefined);
    for (const value of [
      'a\u200Db',
      '👩\u200D',
      '\u200D👩',
      'Ada\u0007',
      'Ada\u001B[0m',
      'A\r\nB',
      'A\u202Eb',
      'A\u2069',
      'A\uFEFF',
    ]) {
      assert.match(nameProblem(value, 100) ?? '', /must not contain/, JSON.stringify(value));
    }
    assert.equal(nameProblem('\uD800x', 100), 'must be well-formed Unicode text');
  });

  it('bounds names in code points', () => {
    assert.equal(codePointLength('🦊🦊a'), 3);
    assert.equal(codePointLength('\uD800'), 1);
    assert.equal(nameProblem('🦊'.repeat(5), 5), undefined);
    assert.equal(nameProblem('🦊'.repeat(6), 5), 'must be 1 to 5 characters long');
    assert.equal(nameProblem('', 5), 'must be 1 to 5 characters long');
  });

  it('finds the first malformed string or key anywhere in a value', () => {
    assert.equal(findMalformedText({ a: 'ok', b: ['x', { c: '\uDC00' }] }), 'b.1.c');
    assert.equal(findMalformedText({ ['k\uD800']: 1 }), '(key)');
    assert.equal(findMalformedText('\uD800'), '');
    assert.equal(findMalformedText({ a: '🦊', n: 1, z: null, t: true }), undefined);
  });
});

describe('WellFormedTextPipe', () => {
  const pipe = new WellFormedTextPipe();
  const body: ArgumentMetadata = { type: 'body' };

  it('passes well-formed values and custom parameters through unchanged', () => {
    const value = { email: 'ada@example.com', tags: ['🦊'] };
    assert.equal(pipe.transform(value, body), value);
    // Principals from @CurrentUser() and the like are not client input.
    const principal = { x: '\uD800' };
    assert.equal(pipe.transform(principal, { type: 'custom' }), principal);
  });

  it('refuses a lone surrogate in a body, query or path value with VALIDATION_FAILED', () => {
    for (const [value, metadata, field] of [
      [{ password: 'a\uD800' }, body, 'password'],
      ['\uDFFF', { type: 'query', data: 'q' }, 'q'],
      [{ id: '\uDFFF' }, { type: 'param' }, 'id'],
    ] as const) {
      assert.throws(
        () => pipe.transform(value, metadata),
        (err: unknown) =>
          err instanceof AppError &&
          err.code === 'VALIDATION_FAILED' &&
          err.errors?.[0]?.field === field,
      );
    }
  });
});
