// `sharexpress send --approve`: each receiver waits until the sender answers "Approve <name>?" on
// stdin (asked on stderr: stdout carries only JSON lines); "y" lets it download, "n" turns it
// away with a clear message and nothing on disk.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventsNamed, startCli, type CliEvent } from './cli-runner.js';
import { allReady, randomFile, sha256OfFile } from './cli-files.js';
import { startCliStack, type Account, type CliStack } from './cli-stack.js';

describe('sharexpress send --approve', () => {
  let stack: CliStack;
  let alice: Account;

  before(async () => {
    stack = await startCliStack();
    alice = await stack.account();
  });
  after(async () => {
    await stack.close();
  });

  it('"y" on stdin lets the waiting receiver download; "n" rejects the next one', async () => {
    const dir = await stack.tempDir('files-');
    const file = await randomFile(dir, 'contract.pdf', 50_000);
    const send = startCli(['send', file.path, '--approve', '--ttl', '10m', '--json'], alice.cli);
    const receivers: ReturnType<typeof startCli>[] = [];
    try {
      const session = (await send.waitFor('session', 20_000)).session as { id: string };
      await allReady(stack, alice.token, session.id, 1);
      const waitingFor = (name: string) => (e: CliEvent) =>
        e.event === 'device' &&
        e.action === 'waiting' &&
        (e.device as { name?: string } | undefined)?.name === name;
      const decided = (action: string, name: string) => (e: CliEvent) =>
        e.event === 'device' &&
        e.action === action &&
        (e.device as { name?: string } | undefined)?.name === name;

      // Approved.
      const first = await send.waitFor('pairing', 20_000);
      const okOut = await stack.tempDir('ok-');
      const ok = startCli(
        ['receive', String(first.code), '--out', okOut, '--device-name', 'Work laptop', '--json'],
        await stack.anonymous(),
      );
      receivers.push(ok);
      assert.equal((await ok.waitFor('claimed', 20_000)).status, 'pending');
      await send.waitFor(waitingFor('Work laptop'), 10_000);
      await send.waitForStderr(/Approve Work laptop\? \[y\/N\]/, 10_000);
      send.write('y\n');
      await send.waitFor(decided('approved', 'Work laptop'), 10_000);
      const okExit = await ok.exited;
      assert.equal(okExit.code, 0, okExit.stderr);
      assert.equal(eventsNamed(okExit.events, 'claimed').at(-1)?.status, 'active');
      assert.equal(await sha256OfFile(join(okOut, 'contract.pdf')), file.sha256);

      // Rejected: the pairing was renewed after the first claim.
      const second = await send.waitFor(
        (e) => e.event === 'pairing' && e.code !== first.code,
        10_000,
      );
      const noOut = await stack.tempDir('no-');
      const no = startCli(
        ['receive', String(second.code), '--out', noOut, '--device-name', 'Stranger', '--json'],
        await stack.anonymous(),
      );
      receivers.push(no);
      assert.equal((await no.waitFor('claimed', 20_000)).status, 'pending');
      await send.waitFor(waitingFor('Stranger'), 20_000);
      await send.waitForStderr(/Approve Stranger\? \[y\/N\]/, 10_000);
      send.write('n\n');
      await send.waitFor(decided('rejected', 'Stranger'), 10_000);
      const noExit = await no.exited;
      assert.equal(noExit.code, 3, 'turned away: an auth failure');
      assert.match(noExit.stderr, /declined|rejected|refused|denied|not approved/i, noExit.stderr);
      assert.deepEqual(await readdir(noOut), [], 'nothing downloaded');

      send.signal('SIGINT');
      assert.equal((await send.exited).code, 130);
    } finally {
      for (const run of [send, ...receivers]) run.signal('SIGKILL');
      await Promise.all([send, ...receivers].map((run) => run.exited));
    }
  });
});
