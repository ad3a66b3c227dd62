// Issue 10, findings 2 and 6: what a hostile client sent to register and login. Each case
// failed on the code before the fix (a 500, or a look-alike account stored verbatim).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { expectProblem } from '../http/problem-assert.js';
import { getWithToken, login, PASSWORD, postJson, uniqueEmail } from './auth-client.js';

// A JSON body sent as raw text, so lone surrogates travel as `\udfff` escapes (JSON.stringify
// would escape them the same way; raw text makes the wire form explicit).
const postRaw = (baseUrl: string, path: string, body: string): Promise<Response> =>
  fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });

describe('auth: hostile text in credentials and names', () => {
  let t: TestApp;

  before(async () => {
    // A generous credentials limit: this file sends many requests from one address.
    t = await startTestApp({ env: { RATE_LIMIT_AUTH_MAX: '1000', RATE_LIMIT_MAX: '10000' } });
  });
  after(async () => {
    await t.close();
  });

  const registerWith = (body: Record<string, unknown>) =>
    postJson(t.baseUrl, '/v1/auth/register', { password: PASSWORD, ...body });

  describe('lone UTF-16 surrogates (finding 2)', () => {
    for (const route of ['/v1/auth/register', '/v1/auth/login'] as const) {
      for (const email of [
        '\\udfff',
        '\\ud800',
        'ada\\ud83d@example.com',
        '\\udc00ada@example.com',
      ]) {
        it(`${route}: email "${email}" is 400 VALIDATION_FAILED, not a 500`, async () => {
          const res = await postRaw(t.baseUrl, route, `{"email":"${email}","password":"xxxxxxxx"}`);
          const problem = await expectProblem(res, 400, 'VALIDATION_FAILED');
          assert.ok(
            problem.errors?.some((e) => e.field === 'email'),
            JSON.stringify(problem),
          );
        });
      }
    }

    it('refuses a lone surrogate in any other string field with 400', async () => {
      const email = uniqueEmail();
      for (const [route, body] of [
        ['/v1/auth/register', `{"email":"${email}","password":"pass\\ud800word"}`],
        [
          '/v1/auth/register',
          `{"email":"${email}","password":"${PASSWORD}","displayName":"A\\udfffda"}`,
        ],
        ['/v1/auth/login', `{"email":"${email}","password":"\\udfff\\udfff\\udfff"}`],
        ['/v1/auth/refresh', '{"refreshToken":"\\ud800abc"}'],
        ['/v1/auth/logout', '{"refreshToken":"abc\\udbff"}'],
      ] as const) {
        await expectProblem(await postRaw(t.baseUrl, route, body), 400, 'VALIDATION_FAILED');
      }
      // Nothing was registered on the way.
      await expectProblem(
        await postJson(t.baseUrl, '/v1/auth/login', { email, password: PASSWORD }),
        401,
        'UNAUTHENTICATED',
      );
    });

    it('still accepts well-formed astral characters (surrogate pairs)', async () => {
      const res = await registerWith({ email: uniqueEmail(), displayName: 'Ada 🦊 𝔄' });
      assert.equal(res.status, 201, await res.clone().text());
      const { user } = (await res.json()) as { user: { displayName: string } };
      assert.equal(user.displayName, 'Ada 🦊 𝔄');
    });
  });

  describe('look-alike and invisible characters in emails (finding 6)', () => {
    it('normalizes a full-width email (NFKC) to the same account: login with either, a second registration is 409', async () => {
      const local = `ada${String(Date.now())}`;
      const ascii = `${local}@example.com`;
      const fullWidth = [...ascii]
        .map((c) => (c >= '!' && c <= '~' ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c))
        .join('');
      assert.notEqual(fullWidth, ascii);

      const first = await registerWith({ email: fullWidth });
      assert.equal(first.status, 201, await first.clone().text());
      const { user } = (await first.json()) as { user: { email: string } };
      assert.equal(user.email, ascii);

      await expectProblem(await registerWith({ email: ascii }), 409, 'CONFLICT');
      await expectProblem(await registerWith({ email: ascii.toUpperCase() }), 409, 'CONFLICT');
      const viaAscii = await login(t.baseUrl, ascii);
      const viaFullWidth = await login(t.baseUrl, fullWidth);
      const me = (await (
        await getWithToken(t.baseUrl, '/v1/auth/me', viaAscii.accessToken)
      ).json()) as { id: string };
      const me2 = (await (
        await getWithToken(t.baseUrl, '/v1/auth/me', viaFullWidth.accessToken)
      ).json()) as { id: string };
      assert.equal(me.id, me2.id);
    });

    for (const [name, char] of [
      ['zero-width space', '\u200B'],
      ['zero-width non-joiner', '\u200C'],
      ['zero-width joiner', '\u200D'],
      ['word joiner', '\u2060'],
      ['byte order mark', '\uFEFF'],
      ['soft hyphen', '\u00AD'],
      ['right-to-left override', '\u202E'],
      ['left-to-right isolate', '\u2066'],
      ['right-to-left mark', '\u200F'],
      ['NUL', '\u0000'],
      ['ESC', '\u001B'],
      ['line feed', '\n'],
      ['DEL', '\u007F'],
      ['C1 control', '\u0085'],
    ] as const) {
      it(`refuses an email with a ${name} inside (register and login)`, async () => {
        const email = `a${char}da-${String(Date.now())}@example.com`;
        const reg = await expectProblem(await registerWith({ email }), 400, 'VALIDATION_FAILED');
        assert.ok(reg.errors?.some((e) => e.field === 'email'));
        await expectProblem(
          await postJson(t.baseUrl, '/v1/auth/login', { email, password: PASSWORD }),
          400,
          'VALIDATION_FAILED',
        );
      });
    }

    it('refuses an email whose domain is spoofed with a bidi override', async () => {
      // Renders as "ada@example.com" in a bidi-aware view, but is another address.
      const email = `ada@\u202Emoc.elpmaxe\u202C.com`;
      await expectProblem(await registerWith({ email }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('control and bidi characters in display names (finding 6)', () => {
    for (const [name, value] of [
      ['NUL', 'Ada\u0000'],
      ['BEL', 'Ada\u0007'],
      ['an ANSI escape sequence', 'Ada \u001B[31mred\u001B[0m'],
      ['CR/LF', 'Ada\r\nSet-Cookie: x=1'],
      ['a tab', 'Ada\tLovelace'],
      ['a right-to-left override', 'Ada \u202Egpj.exe'],
      ['a left-to-right embedding', '\u202AAda'],
      ['a first-strong isolate', 'Ada\u2068x\u2069'],
      ['a zero-width space', 'A\u200Bda'],
      ['a right-to-left mark', 'Ada\u200F'],
      ['a byte order mark', '\uFEFFAda'],
      ['a line separator', 'Ada\u2028Lovelace'],
    ] as const) {
      it(`refuses a display name with ${name}`, async () => {
        const problem = await expectProblem(
          await registerWith({ email: uniqueEmail(), displayName: value }),
          400,
          'VALIDATION_FAILED',
        );
        assert.ok(
          problem.errors?.some((e) => e.field === 'displayName'),
          JSON.stringify(problem),
        );
      });
    }

    it('stores display names NFC-normalized, trimmed, and keeps emoji sequences', async () => {
      const res = await registerWith({
        email: uniqueEmail(),
        // "e" + combining acute becomes "é"; a family emoji is joined by ZWJs between emoji.
        displayName: '  Rene\u0301e 👩\u200D👩\u200D👧  ',
      });
      assert.equal(res.status, 201, await res.clone().text());
      const { user } = (await res.json()) as { user: { displayName: string } };
      assert.equal(user.displayName, 'Ren\u00E9e 👩\u200D👩\u200D👧');
    });

    it('bounds a display name at 100 characters (code points), however they are encoded', async () => {
      const ok = await registerWith({ email: uniqueEmail(), displayName: '🦊'.repeat(100) });
      assert.equal(ok.status, 201, await ok.clone().text());
      await expectProblem(
        await registerWith({ email: uniqueEmail(), displayName: 'a'.repeat(101) }),
        400,
        'VALIDATION_FAILED',
      );
      // Combining marks on one letter ("Zalgo") count one by one.
      await expectProblem(
        await registerWith({ email: uniqueEmail(), displayName: `a${'\u0301'.repeat(101)}` }),
        400,
        'VALIDATION_FAILED',
      );
    });
  });
});
