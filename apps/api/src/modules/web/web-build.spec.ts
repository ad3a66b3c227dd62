import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { negotiate, WebBuild } from './web-build.js';

const SCRIPT = `console.log(${JSON.stringify('x'.repeat(4000))});\n`;

describe('WebBuild', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sx-web-build-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(join(dir, 'assets', 'index-AbC123.js'), SCRIPT);
    await writeFile(join(dir, 'assets', 'index-AbC123.css'), 'body{margin:0}');
    await writeFile(join(dir, 'assets', 'logo-Z9.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is null where nothing was built', async () => {
    assert.equal(await WebBuild.load(join(dir, 'missing')), null);
  });

  it('holds index.html and every asset with its content type', async () => {
    const build = await WebBuild.load(dir);
    assert.ok(build !== null);
    assert.equal(build.index.contentType, 'text/html; charset=utf-8');
    assert.deepEqual(build.assetNames.sort(), [
      'index-AbC123.css',
      'index-AbC123.js',
      'logo-Z9.png',
    ]);
    assert.equal(build.asset('index-AbC123.js')?.contentType, 'text/javascript; charset=utf-8');
    assert.equal(build.asset('index-AbC123.css')?.contentType, 'text/css; charset=utf-8');
    assert.equal(build.asset('logo-Z9.png')?.contentType, 'image/png');
  });

  it('finds no file outside assets/, whatever the name asked for', async () => {
    const build = await WebBuild.load(dir);
    for (const name of ['../index.html', '..', '.', '', 'index.html', '%2e%2e', 'a/b.js']) {
      assert.equal(build?.asset(name), undefined, name);
    }
  });

  it('answers br, then gzip, else the bytes as they are; all decode to the same file', async () => {
    const file = (await WebBuild.load(dir))?.asset('index-AbC123.js');
    assert.ok(file !== undefined);
    const br = negotiate(file, 'gzip, deflate, br');
    assert.equal(br.encoding, 'br');
    assert.equal(brotliDecompressSync(br.body).toString(), SCRIPT);
    assert.ok(br.body.length < 200, 'compressed');
    const gzip = negotiate(file, 'gzip;q=1, br;q=0');
    assert.equal(gzip.encoding, 'gzip');
    assert.equal(gunzipSync(gzip.body).toString(), SCRIPT);
    for (const header of [undefined, '', 'identity', 'deflate']) {
      const plain = negotiate(file, header);
      assert.equal(plain.encoding, undefined);
      assert.equal(plain.body.toString(), SCRIPT);
    }
  });

  it('sends small and binary files as they are', async () => {
    const build = await WebBuild.load(dir);
    for (const name of ['index-AbC123.css', 'logo-Z9.png']) {
      const file = build?.asset(name);
      assert.ok(file !== undefined);
      assert.equal(negotiate(file, 'br, gzip').encoding, undefined, name);
    }
  });
});
