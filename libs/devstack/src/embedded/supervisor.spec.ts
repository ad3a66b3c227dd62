import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Supervisor, type ChildExit } from './supervisor.js';

const dir = mkdtempSync(join(tmpdir(), 'sx-supervisor-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

const env = { PATH: process.env.PATH ?? '' };

// The child writes a marker once its SIGTERM handler is installed, so no signal arrives early.
async function untilExists(path: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!existsSync(path)) {
    if (Date.now() > deadline) assert.fail(`${path} never appeared`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const ready = (marker: string): string =>
  `(await import('node:fs')).writeFileSync(${JSON.stringify(marker)}, '');`;

describe('Supervisor', () => {
  it('reports a child that exits on its own, with its exit code', async () => {
    const exits: ChildExit[] = [];
    const done = new Promise<void>((resolve) => {
      const supervisor = new Supervisor((exit) => {
        exits.push(exit);
        resolve();
      });
      supervisor.start({ name: 'api', entry: script('crash.mjs', 'process.exit(3);'), env });
    });
    await done;
    assert.deepEqual(exits, [{ name: 'api', code: 3, signal: null }]);
  });

  it('stops children with SIGTERM and does not report them as unexpected', async () => {
    const unexpected: ChildExit[] = [];
    const supervisor = new Supervisor((exit) => unexpected.push(exit));
    const marker = join(dir, 'graceful.ready');
    const entry = script(
      'graceful.mjs',
      `process.on('SIGTERM', () => process.exit(0)); ${ready(marker)} setInterval(() => {}, 1000);`,
    );
    supervisor.start({ name: 'worker', entry, env });
    await untilExists(marker);
    const killed = await supervisor.stopAll(5_000);
    assert.deepEqual(killed, []);
    assert.deepEqual(unexpected, []);
  });

  it('kills a child that ignores SIGTERM once the grace period is over', async () => {
    const supervisor = new Supervisor(() => assert.fail('not unexpected'));
    const marker = join(dir, 'stubborn.ready');
    const entry = script(
      'stubborn.mjs',
      `process.on('SIGTERM', () => {}); ${ready(marker)} setInterval(() => {}, 1000);`,
    );
    supervisor.start({ name: 'api', entry, env });
    await untilExists(marker);
    const started = Date.now();
    const killed = await supervisor.stopAll(500);
    assert.deepEqual(killed, ['api']);
    assert.ok(Date.now() - started < 3_000);
  });

  it('ends a child with SIGTERM when the supervising process dies without stopping it', async () => {
    const pidFile = join(dir, 'orphan.pid');
    const terminated = join(dir, 'orphan.terminated');
    const child = script(
      'orphan.mjs',
      `import { writeFileSync } from 'node:fs';
       process.on('SIGTERM', () => { writeFileSync(${JSON.stringify(terminated)}, ''); process.exit(0); });
       writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
       setInterval(() => {}, 1000);`,
    );
    const supervisorUrl = new URL('./supervisor.js', import.meta.url).href;
    const parentScript = script(
      'parent.mjs',
      `const { Supervisor } = await import(${JSON.stringify(supervisorUrl)});
       new Supervisor(() => {}).start({ name: 'api', entry: ${JSON.stringify(child)}, env: { PATH: process.env.PATH ?? '' } });
       setInterval(() => {}, 1000);`,
    );
    const parent = spawn(process.execPath, [parentScript], { stdio: 'ignore' });
    await untilExists(pidFile);
    // The file can be seen before its content is written: wait for a whole pid.
    let childPid = 0;
    while (!(childPid > 0)) {
      childPid = Number(readFileSync(pidFile, 'utf8'));
      if (!(childPid > 0)) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    parent.kill('SIGKILL');
    await untilExists(terminated);
    const deadline = Date.now() + 5_000;
    const alive = (): boolean => {
      try {
        process.kill(childPid, 0);
        return true;
      } catch {
        return false;
      }
    };
    while (alive()) {
      if (Date.now() > deadline) assert.fail(`child ${String(childPid)} outlived its supervisor`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
});
