import js from '@eslint/js';
import { Linter } from 'eslint';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Script } from 'node:vm';
import { PAIR_CSS } from './assets/pair-css.js';
import { PAIR_HTML } from './assets/pair-html.js';
import { PAIR_SCRIPT } from './assets/pair-script.js';
import { PAIR_PAGE_PATHS } from './pair-page.paths.js';

// The browser globals the script may use; anything else is a typo the browser would throw on.
const BROWSER_GLOBALS = [
  'AbortController',
  'Date',
  'JSON',
  'Math',
  'Number',
  'Promise',
  'String',
  'clearInterval',
  'clearTimeout',
  'document',
  'encodeURIComponent',
  'fetch',
  'history',
  'isNaN',
  'location',
  'navigator',
  'sessionStorage',
  'setInterval',
  'setTimeout',
  'window',
];

const attributes = (html: string, name: string): string[] =>
  [...html.matchAll(new RegExp(`\\s${name}="([^"]*)"`, 'g'))].map((m) => m[1] ?? '');

describe('pair page assets', () => {
  it('loads only its own script and stylesheet, from this origin, and nothing inline', () => {
    const urls = [...attributes(PAIR_HTML, 'src'), ...attributes(PAIR_HTML, 'href')];
    assert.deepEqual(
      urls.sort(),
      ['data:,', PAIR_PAGE_PATHS.script, PAIR_PAGE_PATHS.stylesheet].sort(),
    );
    for (const url of urls) assert.match(url, /^(\/[^/]|data:)/, `${url} is same-origin`);
    // Each <script> has a src and no body; no <style>, style="" or on*="" (the CSP forbids them).
    const scripts = [...PAIR_HTML.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    for (const [, attrs = '', body = ''] of scripts) {
      assert.match(attrs, /\ssrc="/);
      assert.equal(body.trim(), '');
    }
    assert.doesNotMatch(PAIR_HTML, /<style\b|\sstyle=|\son[a-z]+=/i);
    assert.doesNotMatch(
      PAIR_HTML + PAIR_CSS + PAIR_SCRIPT,
      /https?:\/\/|\/\/[a-z0-9.-]+\.[a-z]{2,}\//i,
    );
    assert.doesNotMatch(PAIR_CSS, /@import|url\(/);
  });

  it('is phone-sized and accessible: viewport, language, labelled inputs, live status', () => {
    assert.match(PAIR_HTML, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
    assert.match(PAIR_HTML, /<html lang="en">/);
    for (const id of attributes(PAIR_HTML, 'id').filter((id) =>
      new RegExp(`<input id="${id}"`).test(PAIR_HTML),
    )) {
      assert.match(PAIR_HTML, new RegExp(`<label for="${id}"`), `input #${id} has a label`);
    }
    assert.match(PAIR_HTML, /id="status"[^>]*aria-live="polite"/);
    assert.match(PAIR_HTML, /id="error"[^>]*role="alert"/);
  });

  it('has a script that parses, passes ESLint recommended with browser globals only', () => {
    assert.doesNotThrow(() => new Script(PAIR_SCRIPT));
    const messages = new Linter().verify(PAIR_SCRIPT, [
      {
        languageOptions: {
          ecmaVersion: 2020,
          sourceType: 'script',
          globals: Object.fromEntries(BROWSER_GLOBALS.map((name) => [name, 'readonly'])),
        },
        rules: { ...js.configs.recommended.rules, 'no-unused-vars': 'error', eqeqeq: 'error' },
      },
    ]);
    assert.deepEqual(
      messages.map((m) => `${String(m.line)}:${String(m.column)} ${m.message}`),
      [],
    );
  });

  it('touches only elements the HTML has, and keeps the token out of localStorage', () => {
    const ids = new Set(attributes(PAIR_HTML, 'id'));
    const used = [...PAIR_SCRIPT.matchAll(/el\('([a-z-]+)'\)/g)].map((m) => m[1] ?? '');
    const views = /var VIEWS = \[([^\]]*)\]/.exec(PAIR_SCRIPT)?.[1] ?? '';
    used.push(...[...views.matchAll(/'([a-z-]+)'/g)].map((m) => m[1] ?? ''));
    assert.ok(used.length > 10);
    assert.deepEqual(
      used.filter((id) => !ids.has(id)),
      [],
    );
    assert.doesNotMatch(PAIR_SCRIPT, /localStorage|innerHTML|outerHTML|insertAdjacentHTML|eval\(/);
    assert.match(PAIR_SCRIPT, /history\.replaceState\(null, '', PAGE_PATH\)/);
    assert.ok(PAIR_SCRIPT.includes(`var PAGE_PATH = '${PAIR_PAGE_PATHS.page}';`));
  });
});
