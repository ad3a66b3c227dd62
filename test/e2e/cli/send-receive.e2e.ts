// `sharexpress send` of two files (one small, one multipart) and `sharexpress receive <code>` in
// another process, with another config directory: the receiver ends with the same bytes, and the
// sender shows the receiver's arrival and downloads live until Ctrl-C.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventsNamed, runCli, startCli, type CliEvent } from './cli-runner.js';
import { allReady, randomFile, sha256OfFile } from './cli-files.js';
import { MIB, startCliStack, type Account, type CliStack } from './cli-stack.js';

describe('sharexpress send + receive', () => {
  let stack: CliStack;
  let alice: Account;

  before(async () => {
    stack = await startCliStack();
    alice = await stack.account();
  });
  after(async () => {
    await stack.close();
  });

  it('a receiver in another process gets both files byte for byte; the sender sees it live and Ctrl-C exits 130', async () => {
    const dir = await stack.tempDir('files-');
    const small = await randomFile(dir, 'notes.txt', 3_000);
    const big = await randomFile(dir, 'big.bin', 17 * MIB);

    const send = startCli(['send', small.path, big.path, '--ttl', '10m', '--json'], alice.cli);
    try {
      const session = (await send.waitFor('session', 20_000)).session as { id: string };
      assert.equal(typeof session.id, 'string');
      const pairing = await send.waitFor('pairing', 60_000);
      assert.match(String(pairing.code), /^[BCDFGHJKLMNPQRSTVWXZ]{4}-?[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
      assert.equal(String(pairing.pairingUrl).startsWith(`${stack.baseUrl}/pair#`), true);

      // Both uploaded before the pairing is shown, the big one in parts.
      const uploaded = eventsNamed(send.events(), 'uploaded');
      assert.deepEqual(uploaded.map((e) => (e.file as { name: string }).name).sort(), [
        'big.bin',
        'notes.txt',
      ]);
      const bigUpload = uploaded.find((e) => (e.file as { name: string }).name === 'big.bin');
      assert.equal(bigUpload?.resumed, false);
      assert.equal(bigUpload?.partsSent, 3, '17 MiB in 8 MiB parts');
      const bigUploading = eventsNamed(send.events(), 'progress').filter(
        (e) => e.name === 'big.bin' && e.phase === 'uploading',
      );
      assert.ok(bigUploading.length >= 2, 'a first and a last uploading progress line');
      assert.deepEqual(
        bigUploading.map((e) => e.total),
        bigUploading.map(() => big.size),
      );
      assert.equal(bigUploading.at(-1)?.done, big.size);

      // Receive lists the ready files: wait for the worker to have verified the multipart one.
      await allReady(stack, alice.token, session.id, 2);

      const receiver = await stack.anonymous();
      const out = await stack.tempDir('received-');
      const received = await runCli(
        ['receive', String(pairing.code), '--out', out, '--device-name', 'CI laptop', '--json'],
        receiver,
        60_000,
      );
      assert.equal(received.code, 0, `receive: ${received.stdout}\n${received.stderr}`);
      assert.deepEqual(received.strayLines, [], 'only JSON lines on stdout with --json');
      assert.equal(eventsNamed(received.events, 'claimed')[0]?.status, 'active');
      const downloaded = eventsNamed(received.events, 'downloaded');
      assert.equal(downloaded.length, 2);
      for (const e of downloaded) assert.equal(e.verified, true);
      assert.equal(eventsNamed(received.events, 'done')[0]?.files, 2);

      assert.deepEqual((await readdir(out)).sort(), ['big.bin', 'notes.txt'], 'no .part left');
      assert.equal(await sha256OfFile(join(out, 'notes.txt')), small.sha256);
      assert.equal(await sha256OfFile(join(out, 'big.bin')), big.sha256);

      // The sender follows the session: the device joined, each file downloaded once, and the
      // claimed pairing is replaced by a new one.
      const live = (type: string) => (e: CliEvent) => e.event === 'live' && e.type === type;
      await send.waitFor(live('device.claimed'), 10_000);
      await send.waitForCount(live('file.downloaded'), 2, 10_000);
      await send.waitFor((e) => e.event === 'device' && e.action === 'joined', 10_000);
      const renewed = await send.waitFor(
        (e) => e.event === 'pairing' && e.code !== pairing.code,
        10_000,
      );
      assert.notEqual(renewed.id, pairing.id);

      send.signal('SIGINT');
      const exit = await send.exited;
      assert.equal(exit.code, 130, exit.stderr);
      assert.deepEqual(exit.strayLines, [], 'only JSON lines on stdout with --json');
      const downloads = exit.events.filter(live('file.downloaded'));
      assert.equal(downloads.length, 2, 'one per download');
      // Each names the device that took it, so the sender can say who downloaded what.
      const receiverId = (eventsNamed(received.events, 'claimed')[0]?.device as { id?: string })
        ?.id;
      assert.ok(receiverId !== undefined);
      for (const e of downloads) {
        assert.equal((e.data as { deviceId?: string }).deviceId, receiverId);
      }
      // Ctrl-C leaves the session open until its expiry.
      const after = await stack.api<{ status: string }>(
        'GET',
        `/v1/sessions/${session.id}`,
        alice.token,
      );
      assert.equal(after.body.status, 'active');
    } finally {
      send.signal('SIGKILL');
      await send.exited;
    }
  });
});
