// An interrupted `sharexpress send` resumes: the process is killed (SIGKILL, no chance to clean up)
// once storage holds the first part of a multipart file and the other parts are in flight; the
// same command run again reuses the session and the file, sends only the missing parts, and the
// file becomes ready with the right bytes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../../support/eventually.js';
import { eventsNamed, startCli } from './cli-runner.js';
import { allReady, downloadedSha, randomFile, sessionFiles } from './cli-files.js';
import { MIB, startCliStack, type Account, type CliStack } from './cli-stack.js';

/** Part uploads (presigned UploadPart PUTs) other than part 1. */
const laterParts = (method: string, url: string): boolean => {
  const query = new URL(url, 'http://gate').searchParams;
  return method === 'PUT' && query.has('uploadId') && query.get('partNumber') !== '1';
};

describe('sharexpress send: resume after a kill', () => {
  let stack: CliStack;
  let alice: Account;

  before(async () => {
    stack = await startCliStack();
    alice = await stack.account();
  });
  after(async () => {
    await stack.close();
  });

  it('the same command again sends only the missing parts of the same file in the same session', async () => {
    const dir = await stack.tempDir('files-');
    const big = await randomFile(dir, 'video.bin', 17 * MIB); // parts of 8, 8 and 1 MiB
    const args = ['send', big.path, '--ttl', '10m', '--json'];

    // Storage gets part 1; parts 2 and 3 are held at the gate, in flight, never stored.
    stack.gate.hold(laterParts);
    const first = startCli(args, alice.cli);
    let fileId: string;
    let sessionId: string;
    try {
      sessionId = ((await first.waitFor('session', 20_000)).session as { id: string }).id;
      fileId = await eventually('part 1 stored and parts 2, 3 in flight', 30_000, async () => {
        const [file] = await sessionFiles(stack, alice.token, sessionId);
        if (file === undefined) return undefined;
        const parts = await stack.api<{ parts: { partNumber: number }[] }>(
          'GET',
          `/v1/files/${file.id}/parts`,
          alice.token,
        );
        const stored = parts.body.parts.map((p) => p.partNumber);
        assert.ok(!stored.includes(2) && !stored.includes(3), 'held parts never reach storage');
        return stored.includes(1) && stack.gate.held >= 2 ? file.id : undefined;
      });
      first.signal('SIGKILL');
      const killed = await first.exited;
      assert.equal(killed.signal, 'SIGKILL');
      assert.equal(eventsNamed(killed.events, 'uploaded').length, 0);
    } finally {
      first.signal('SIGKILL');
      await first.exited;
      // What the killed process left held stays held (and goes nowhere); new requests pass.
      stack.gate.hold(() => false);
    }

    const again = startCli(args, alice.cli);
    try {
      const session = (await again.waitFor('session', 20_000)).session as { id: string };
      assert.equal(session.id, sessionId, 'the same session');
      const uploaded = await again.waitFor('uploaded', 30_000);
      assert.equal((uploaded.file as { id: string }).id, fileId, 'the same file');
      assert.equal(uploaded.resumed, true);
      assert.equal(uploaded.partsSent, 2, 'parts 2 and 3 only, of 3');

      const [ready] = await allReady(stack, alice.token, sessionId, 1);
      assert.equal(ready?.id, fileId);
      assert.equal(ready.sha256, big.sha256);
      assert.equal(await downloadedSha(stack, alice.token, fileId), big.sha256);

      await again.waitFor('pairing', 10_000);
      again.signal('SIGINT');
      const exit = await again.exited;
      assert.equal(exit.code, 130, exit.stderr);
    } finally {
      again.signal('SIGKILL');
      await again.exited;
    }
  });
});
