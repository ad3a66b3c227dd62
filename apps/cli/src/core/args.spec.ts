import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCommand, positiveInt, resolveServer, splitGlobal } from './args.ts';
import { CliError, EXIT } from './errors.ts';

const usage = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof CliError);
    assert.equal(err.exitCode, EXIT.USAGE);
    assert.match(err.message, pattern);
    return true;
  });

describe('splitGlobal', () => {
  test('global flags anywhere, the first word is the command', () => {
    const g = splitGlobal(['--json', 'send', 'a.txt', '--server', 'http://h:1', '--ttl', '1h']);
    assert.equal(g.command, 'send');
    assert.deepEqual(g.rest, ['a.txt', '--ttl', '1h']);
    assert.equal(g.json, true);
    assert.equal(g.server, 'http://h:1');
  });
  test('--server=URL, -h, -V', () => {
    const g = splitGlobal(['--server=http://x', 'close', '-h']);
    assert.equal(g.server, 'http://x');
    assert.equal(g.help, true);
    assert.equal(splitGlobal(['-V']).version, true);
  });
  test('after -- nothing is a flag', () => {
    const g = splitGlobal(['send', '--', '--json']);
    assert.equal(g.json, false);
    assert.deepEqual(g.rest, ['--', '--json']);
  });
  test('--server without a URL is a usage error', () => {
    usage(() => splitGlobal(['sessions', '--server']), /--server needs a URL/);
    usage(() => splitGlobal(['--server', '--json']), /--server needs a URL/);
  });
});

describe('resolveServer', () => {
  test('--server, then SHAREXPRESS_URL, then localhost:3000', () => {
    assert.equal(
      resolveServer('https://a.example/', { SHAREXPRESS_URL: 'http://b' }),
      'https://a.example',
    );
    assert.equal(resolveServer(undefined, { SHAREXPRESS_URL: 'http://b:8080/' }), 'http://b:8080');
    assert.equal(resolveServer(undefined, {}), 'http://localhost:3000');
    assert.equal(resolveServer(undefined, { SHAREXPRESS_URL: '' }), 'http://localhost:3000');
  });
  test('a path prefix is kept (a server behind a proxy path)', () => {
    assert.equal(resolveServer('https://a.example/share/', {}), 'https://a.example/share');
  });
  test('not an http(s) URL: usage error', () => {
    usage(() => resolveServer('localhost:3000', {}), /http:\/\/ or https:\/\//);
    usage(() => resolveServer('not a url', {}), /Not a server URL/);
    usage(() => resolveServer('http://a/?x=1', {}), /no \?query/);
  });
});

describe('parseCommand', () => {
  test('parses the options and positionals', () => {
    const { values, positionals } = parseCommand('sessions', ['--limit', '5', 'x'], {
      limit: { type: 'string' },
    });
    assert.equal(values.limit, '5');
    assert.deepEqual(positionals, ['x']);
  });
  test('an unknown option names the command to ask for help', () => {
    usage(() => parseCommand('close', ['--bogus'], {}), /'--bogus'[\s\S]*sharexpress close --help/);
  });
  test('positiveInt', () => {
    assert.equal(positiveInt('limit', '20', 100), 20);
    assert.equal(positiveInt('limit', undefined), undefined);
    usage(() => positiveInt('limit', '0', 100), /--limit must be a whole number from 1 to 100/);
    usage(() => positiveInt('limit', '1.5'), /--limit/);
    usage(() => positiveInt('limit', '101', 100), /--limit/);
  });
});
