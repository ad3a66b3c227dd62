// The QR code `sharexpress send` prints (human mode) is readable: its captured stdout, drawn to an
// image and decoded with zbarimg, is exactly the pairing URL printed under it, and that URL claims
// the session the command created.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCli } from './cli-runner.js';
import { randomFile } from './cli-files.js';
import { startCliStack, type Account, type CliStack } from './cli-stack.js';
import { decodeTerminalQr, stripAnsi } from './terminal-qr.js';

describe('sharexpress send: the terminal QR code', () => {
  let stack: CliStack;
  let alice: Account;

  before(async () => {
    stack = await startCliStack();
    alice = await stack.account();
  });
  after(async () => {
    await stack.close();
  });

  it('decodes to the printed pairing URL, which pairs a device with the new session', async () => {
    const dir = await stack.tempDir('files-');
    const file = await randomFile(dir, 'slides.pdf', 20_000);
    const send = startCli(['send', file.path, '--ttl', '10m'], alice.cli);
    try {
      const urlPattern = new RegExp(
        `(${stack.baseUrl.replace(/[.]/g, '\\.')}/pair#[A-Za-z0-9_-]+)`,
      );
      await send.waitForStdout(/Code: [BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}/, 30_000);
      const [, pairingUrl = ''] = await send.waitForStdout(urlPattern, 10_000);
      assert.doesNotMatch(stripAnsi(send.stdout()), /^\{"event"/m, 'no JSON lines without --json');

      assert.equal(await decodeTerminalQr(send.stdout()), pairingUrl);

      const sessions = await stack.api<{ items: { id: string }[] }>(
        'GET',
        '/v1/sessions',
        alice.token,
      );
      const secret = new URL(pairingUrl).hash.slice(1);
      const res = await fetch(`${stack.baseUrl}/v1/pairings/claim`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ secret, deviceName: 'Phone camera' }),
      });
      const claimed = (await res.json()) as { session?: { id: string } };
      assert.equal(res.status, 201, JSON.stringify(claimed));
      assert.equal(claimed.session?.id, sessions.body.items[0]?.id);

      send.signal('SIGINT');
      const exit = await send.exited;
      assert.equal(exit.code, 130, exit.stderr);
    } finally {
      send.signal('SIGKILL');
      await send.exited;
    }
  });
});
