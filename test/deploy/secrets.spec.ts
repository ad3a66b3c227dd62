// No real secret in the repository: every Secret manifest holds placeholders, no tracked file
// holds a usable private key, the compose defaults say "change-me", and deploy/secrets/ (where
// operators put their keys) is ignored by git.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { describe, it } from 'node:test';
import { type Manifest } from './kustomize.js';
import { secretValues } from './pod-env.js';
import { isRecord, parseYamlStream, readRepoFile, repoRoot, trackedFiles } from './repo-files.js';

const files = trackedFiles();
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;
const PLACEHOLDER = /replace|example|change-me|placeholder/i;

function usableKey(pem: string): boolean {
  try {
    createPrivateKey(pem);
    return true;
  } catch {
    return false;
  }
}

describe('secrets in the repository', { skip: files === undefined && 'not a git checkout' }, () => {
  it('every Secret manifest holds placeholders only', () => {
    const yamlFiles = (files ?? []).filter((f) => /\.ya?ml$/.test(f));
    const secrets = yamlFiles.flatMap((file) =>
      parseYamlStream(readRepoFile(file))
        .filter((doc): doc is Manifest => isRecord(doc) && doc.kind === 'Secret')
        .map((secret) => ({ file, secret })),
    );
    assert.ok(secrets.length > 0, 'the example Secret is found');
    for (const { file, secret } of secrets) {
      for (const [key, value] of Object.entries(secretValues(secret))) {
        assert.match(value, PLACEHOLDER, `${file}: ${key} looks real`);
        assert.equal(usableKey(value), false, `${file}: ${key} is a usable key`);
      }
    }
  });

  it('no tracked file holds a usable private key', () => {
    const holders = (files ?? []).filter((file) => {
      let text: string;
      try {
        text = readRepoFile(file);
      } catch {
        return false; // a file deleted in the working tree
      }
      return [...text.matchAll(PRIVATE_KEY)].some(([pem]) => usableKey(pem));
    });
    assert.deepEqual(holders, []);
  });

  it("compose's default passwords and keys all say change-me", () => {
    const compose = readRepoFile('docker-compose.yml');
    const defaults = [...compose.matchAll(/\$\{(\w*(?:PASSWORD|SECRET)\w*):-([^}]*)\}/g)];
    assert.ok(defaults.length >= 4, 'the password defaults are found');
    for (const [, name, value = ''] of defaults) {
      assert.match(value, /^change-me/, `${String(name)} defaults to ${value}`);
    }
  });

  it('git ignores the keys operators put in deploy/secrets/, but not its README', () => {
    const ignored = (path: string) =>
      spawnSync('git', ['check-ignore', '-q', '--no-index', path], { cwd: repoRoot }).status === 0;
    assert.equal(ignored('deploy/secrets/jwt-private-key.pem'), true);
    assert.equal(ignored('deploy/secrets/anything-else.key'), true);
    assert.equal(ignored('deploy/secrets/README.md'), false);
    assert.equal(ignored('deploy/secrets/.gitignore'), false);
  });
});
