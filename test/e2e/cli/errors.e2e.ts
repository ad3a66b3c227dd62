// What a user or a script sees when a command cannot do its job: an exit code that says why
// (docs: 2 usage, 3 auth, 4 not found) and one clear sentence on stderr, never a stack trace;
// and a usage error is found before anything is created on the server.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, type CliExit } from './cli-runner.js';
import { randomFile } from './cli-files.js';
import { startCliStack, type Account, type CliStack } from './cli-stack.js';

/** Exit `code`, a message on stderr matching `message`, no stack trace. */
function assertFailure(result: CliExit, code: number, message: RegExp): void {
  const output = `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
  assert.equal(result.code, code, output);
  assert.match(result.stderr, message, output);
  assert.doesNotMatch(result.stderr, /^\s+at .+:\d+:\d+\)?$/m, `no stack trace\n${output}`);
}

describe('sharexpress: errors and exit codes', () => {
  let stack: CliStack;
  let alice: Account;

  before(async () => {
    stack = await startCliStack();
    alice = await stack.account();
  });
  after(async () => {
    await stack.close();
  });

  it('--help lists the commands and exits 0', async () => {
    const result = await runCli(['--help'], await stack.anonymous());
    assert.equal(result.code, 0, result.stderr);
    for (const command of ['login', 'send', 'receive', 'sessions', 'close']) {
      assert.match(result.stdout, new RegExp(`\\b${command}\\b`), `--help mentions ${command}`);
    }
  });

  it('an unknown command or a send without files is a usage error (exit 2)', async () => {
    assertFailure(await runCli(['frobnicate'], alice.cli), 2, /frobnicate/);
    assertFailure(await runCli(['send'], alice.cli), 2, /file/i);
  });

  it('receive with a code nobody issued exits 3 and says the code is not valid', async () => {
    const result = await runCli(['receive', 'BADCODE1', '--json'], await stack.anonymous());
    assertFailure(result, 3, /code|pairing/i);
  });

  it('send when not signed in exits 3 and says to run sharexpress login', async () => {
    const dir = await stack.tempDir('files-');
    const file = await randomFile(dir, 'a.txt', 100);
    const result = await runCli(['send', file.path, '--json'], await stack.anonymous());
    assertFailure(result, 3, /sharexpress login/);
  });

  it('send with a missing file exits 2 before creating a session', async () => {
    const bob = await stack.account();
    const dir = await stack.tempDir('files-');
    const present = await randomFile(dir, 'present.txt', 100);
    const missing = join(dir, 'missing.txt');
    const result = await runCli(['send', present.path, missing, '--json'], bob.cli);
    assertFailure(result, 2, /missing\.txt/);
    const sessions = await stack.api<{ items: unknown[] }>('GET', '/v1/sessions', bob.token);
    assert.equal(sessions.status, 200);
    assert.deepEqual(sessions.body.items, [], 'no session was created');
  });

  it('close of a session id that does not exist exits 4', async () => {
    const unknown = randomBytes(16).toString('base64url'); // 22 characters, like a real id
    const result = await runCli(['close', unknown], alice.cli);
    assertFailure(result, 4, /not found|no session|unknown/i);
  });
});
