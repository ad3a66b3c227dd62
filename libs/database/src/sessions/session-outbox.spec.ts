// The outbox under many events of one session at once, against MongoDB (the devstack, or
// MONGODB_URI): grouped appends and coalesced flushes keep the events gapless, each copied once,
// and nothing left in the outbox once every caller went on.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  startFileRepositories,
  type FileRepositoriesFixture,
} from '../../test/file-repositories.js';
import { event, newSession } from '../../test/session-repositories.js';

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('SessionOutbox against MongoDB', () => {
  let fixture: FileRepositoriesFixture;
  // The seqs of the session's copies in `events`, in order: each event once, none missing.
  const copiedSeqs = async (sessionId: string): Promise<number[]> => {
    const copies = await fixture.connection
      .collection('events')
      .find({ sessionId })
      .sort({ seq: 1 })
      .toArray();
    return copies.map((e) => e.seq as number);
  };

  before(async () => {
    fixture = await startFileRepositories('outbox');
  });
  after(async () => {
    await fixture.close();
  });

  it('records 60 events of one session at once with seqs 1..61, each in events once', async () => {
    const session = newSession();
    await fixture.sessions.create(session, event('session.created'));
    await Promise.all(
      range(1, 60).map((n) =>
        n % 6 === 0
          ? // Conditional changes of the session (apply) between the grouped appends.
            fixture.sessions.update(
              session.ownerId,
              session.id,
              { name: `n${String(n)}` },
              new Date(),
              event('session.renamed', { n }),
            )
          : fixture.sessionFiles.recordEvent(
              session.id,
              new Date(),
              event('file.downloaded', { n }),
            ),
      ),
    );
    const stored = await fixture.raw('sessions').findOne({ _id: session.id });
    assert.deepEqual(stored?.outbox, [], 'every caller went on after its copy');
    assert.equal(stored?.seq, 61);
    const copies = await fixture.connection
      .collection('events')
      .find({ sessionId: session.id })
      .sort({ seq: 1 })
      .toArray();
    assert.deepEqual(
      copies.map((e) => e.seq as number),
      range(1, 61),
    );
    assert.deepEqual(
      copies
        .slice(1)
        .map((e) => Number((e.data as { n: number }).n))
        .sort((a, b) => a - b),
      range(1, 60),
    );
  });

  it('commits 40 events at once without waiting for their copy: listed at once, copied once', async () => {
    const session = newSession();
    await fixture.sessions.create(session, event('session.created'));
    await Promise.all(
      range(1, 40).map((n) =>
        fixture.sessionFiles.commitEvent(session.id, new Date(), event('file.downloaded', { n })),
      ),
    );
    const committed = await fixture.raw('sessions').findOne({ _id: session.id });
    assert.equal(committed?.seq, 41, 'every event has its seq once its call resolved');
    // A list right after copies whatever is still pending: nothing is missing from it.
    const listed = await fixture.events.list(session.id, 0, 100);
    assert.deepEqual(
      listed.map((e) => e.seq),
      range(1, 41),
    );
    // The copies that went on in the background finish, and leave the outbox empty.
    for (let i = 0; i < 50; i++) {
      const stored = await fixture.raw('sessions').findOne({ _id: session.id });
      if ((stored?.outbox as unknown[] | undefined)?.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual((await fixture.raw('sessions').findOne({ _id: session.id }))?.outbox, []);
    assert.deepEqual(await copiedSeqs(session.id), range(1, 41), 'each once');
  });

  it('commits nothing for a session that is gone', async () => {
    await fixture.sessionFiles.commitEvent('AAAAAAAAAAAAAAAAAAAAAA', new Date(), event('x'));
    assert.deepEqual(await fixture.events.list('AAAAAAAAAAAAAAAAAAAAAA', 0, 10), []);
  });
});
