import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sleep } from './sleep';

const isAbort = (error: unknown): boolean =>
  error instanceof DOMException && error.name === 'AbortError';

describe('sleep', () => {
  test('resolves once the time has passed, not before', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let done = false;
    const waiting = sleep(1000, new AbortController().signal).then(() => (done = true));
    t.mock.timers.tick(999);
    await Promise.resolve();
    assert.equal(done, false);
    t.mock.timers.tick(1);
    await waiting;
    assert.equal(done, true);
  });

  test('stops with an AbortError as soon as the signal aborts', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort();
    await assert.rejects(waiting, isAbort);
  });

  test('does not wait at all on a signal that already aborted', async () => {
    await assert.rejects(sleep(60_000, AbortSignal.abort()), isAbort);
  });
});
