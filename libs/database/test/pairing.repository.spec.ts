import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AppError, newPublicId } from '@app/common';
import { PairingRepository, type NewPairing } from '../src/pairings/pairing.repository.js';
import {
  minute,
  startSessionRepositories,
  type SessionRepositoriesFixture,
} from './session-repositories.js';

const second = 1000;
const hex = (): string => randomBytes(32).toString('hex');

describe('PairingRepository against MongoDB', () => {
  let fixture: SessionRepositoriesFixture;
  let pairings: PairingRepository;
  const stored = (id: string) => fixture.raw('pairings').findOne({ _id: id });

  const newPairing = (overrides: Partial<NewPairing> = {}): NewPairing => {
    const createdAt = overrides.createdAt ?? new Date();
    return {
      id: newPublicId(),
      sessionId: newPublicId(),
      ownerId: 'owner-1',
      secretHash: hex(),
      codeHash: hex(),
      createdAt,
      expiresAt: new Date(createdAt.getTime() + 2 * minute),
      ...overrides,
    };
  };
  const grant = (
    now = new Date(),
    poll: { secretHash: string; expiresAt: Date; intervalSeconds: number } | null = null,
  ) => ({
    deviceId: newPublicId(),
    now,
    poll,
  });

  before(async () => {
    fixture = await startSessionRepositories();
    pairings = fixture.moduleRef.get(PairingRepository);
  });
  after(async () => {
    await fixture.close();
  });

  it('creates a pairing and finds it for its owner and session only', async () => {
    const input = newPairing();
    const created = await pairings.create(input);
    assert.deepEqual(created, {
      id: input.id,
      sessionId: input.sessionId,
      ownerId: input.ownerId,
      secretHash: input.secretHash,
      createdAt: input.createdAt,
      expiresAt: input.expiresAt,
      claimedAt: null,
      deviceId: null,
      poll: null,
    });
    assert.deepEqual(await pairings.findOwned(input.ownerId, input.sessionId, input.id), created);
    assert.equal(await pairings.findOwned('intruder', input.sessionId, input.id), null);
    assert.equal(await pairings.findOwned(input.ownerId, newPublicId(), input.id), null);
    assert.equal(
      await pairings.findOwned({ $ne: null } as unknown as string, input.sessionId, input.id),
      null,
    );
    const raw = await stored(input.id);
    assert.deepEqual(raw?.purgeAt, input.expiresAt);
    assert.equal(raw?.secretHash, input.secretHash, 'only the hash is stored');
  });

  it('keeps the nonce as given and returns it from every read', async () => {
    const input = newPairing({ nonce: 'n0nce-value' });
    assert.equal((await pairings.create(input)).nonce, 'n0nce-value');
    assert.equal(
      (await pairings.findOwned(input.ownerId, input.sessionId, input.id))?.nonce,
      'n0nce-value',
    );
    assert.equal(
      (await pairings.claim({ secretHash: input.secretHash }, grant()))?.nonce,
      'n0nce-value',
    );
  });

  it('turns a code hash still stored into a CONFLICT', async () => {
    const first = await pairings.create(newPairing());
    const raw = await stored(first.id);
    await assert.rejects(
      pairings.create(newPairing({ codeHash: String(raw?.codeHash) })),
      (error: unknown) => error instanceof AppError && error.code === 'CONFLICT',
    );
  });

  it('purges pairings with a TTL index on purgeAt', async () => {
    const indexes = await fixture.raw('pairings').indexes();
    const ttl = indexes.find((i) => i.key.purgeAt === 1);
    assert.equal(ttl?.expireAfterSeconds, 0);
  });

  it('claims by secret once; the same secret again is refused', async () => {
    const input = newPairing();
    await pairings.create(input);
    const now = new Date();
    const g = grant(now);
    const claimed = await pairings.claim({ secretHash: input.secretHash }, g);
    assert.deepEqual(claimed?.claimedAt, now);
    assert.equal(claimed?.deviceId, g.deviceId);
    assert.equal(claimed?.poll, null);
    const before = await stored(input.id);
    assert.equal(await pairings.claim({ secretHash: input.secretHash }, grant()), null);
    assert.equal(await pairings.claim({ codeHash: input.codeHash }, grant()), null);
    assert.deepEqual(await stored(input.id), before, 'a refused claim changes nothing');
  });

  it('lets exactly one of 20 concurrent claims win', async () => {
    const input = newPairing();
    await pairings.create(input);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        pairings.claim(
          i % 2 === 0 ? { secretHash: input.secretHash } : { codeHash: input.codeHash },
          grant(),
        ),
      ),
    );
    assert.equal(results.filter((r) => r !== null).length, 1);
  });

  it('claims by code', async () => {
    const input = newPairing();
    await pairings.create(input);
    const claimed = await pairings.claim({ codeHash: input.codeHash }, grant());
    assert.equal(claimed?.id, input.id);
  });

  it('refuses an expired, unknown or smuggled lookup', async () => {
    const input = newPairing();
    await pairings.create(input);
    const before = await stored(input.id);
    const atExpiry = new Date(input.expiresAt.getTime());
    assert.equal(await pairings.claim({ secretHash: input.secretHash }, grant(atExpiry)), null);
    assert.equal(await pairings.claim({ codeHash: input.codeHash }, grant(atExpiry)), null);
    assert.equal(await pairings.claim({ secretHash: hex() }, grant()), null);
    const smuggled = { $ne: null } as unknown as string;
    assert.equal(await pairings.claim({ secretHash: smuggled }, grant()), null);
    assert.equal(await pairings.claim({ codeHash: smuggled }, grant()), null);
    assert.deepEqual(await stored(input.id), before);
  });

  it('releases a claim only for its device, making the pairing claimable again', async () => {
    const input = newPairing();
    await pairings.create(input);
    const pollExpiresAt = new Date(input.expiresAt.getTime() + 5 * minute);
    const g = grant(new Date(), {
      secretHash: hex(),
      expiresAt: pollExpiresAt,
      intervalSeconds: 5,
    });
    await pairings.claim({ secretHash: input.secretHash }, g);
    assert.deepEqual((await stored(input.id))?.purgeAt, pollExpiresAt, 'kept while it may poll');

    const claimedDoc = await stored(input.id);
    await pairings.release(input.id, 'another-device');
    await pairings.release(input.id, { $ne: null } as unknown as string);
    assert.deepEqual(await stored(input.id), claimedDoc);

    await pairings.release(input.id, g.deviceId);
    const released = await stored(input.id);
    assert.equal(released?.claimedAt, null);
    assert.equal(released?.deviceId, null);
    assert.equal(released?.poll, null);
    assert.deepEqual(released?.purgeAt, input.expiresAt);
    assert.notEqual(await pairings.claim({ codeHash: input.codeHash }, grant()), null);
  });

  it('finds any pairing by id; unknown or smuggled ids find nothing', async () => {
    const input = newPairing();
    const created = await pairings.create(input);
    assert.deepEqual(await pairings.findById(input.id), created);
    assert.equal(await pairings.findById(newPublicId()), null);
    assert.equal(await pairings.findById({ $ne: null } as unknown as string), null);
  });

  it('deletes a pairing by id only; unknown or smuggled ids delete nothing', async () => {
    const keep = newPairing();
    const gone = newPairing();
    await pairings.create(keep);
    await pairings.create(gone);
    await pairings.delete(newPublicId());
    await pairings.delete({ $ne: null } as unknown as string);
    assert.notEqual(await pairings.findById(gone.id), null);
    await pairings.delete(gone.id);
    assert.equal(await pairings.findById(gone.id), null);
    assert.notEqual(await pairings.findById(keep.id), null);
    await pairings.delete(gone.id);
  });

  it('caps the poll of its own claim only, and only ever earlier', async () => {
    const input = newPairing();
    await pairings.create(input);
    const pollExpiresAt = new Date(input.expiresAt.getTime() + 5 * minute);
    const g = grant(new Date(), {
      secretHash: hex(),
      expiresAt: pollExpiresAt,
      intervalSeconds: 5,
    });
    await pairings.claim({ secretHash: input.secretHash }, g);
    const before = await stored(input.id);
    const sooner = new Date(pollExpiresAt.getTime() - 3 * minute);
    await pairings.capPoll(input.id, 'another-device', sooner);
    await pairings.capPoll(input.id, { $ne: null } as unknown as string, sooner);
    await pairings.capPoll(input.id, g.deviceId, new Date(pollExpiresAt.getTime() + minute));
    assert.deepEqual(await stored(input.id), before, 'not its device, or not earlier');
    await pairings.capPoll(input.id, g.deviceId, sooner);
    assert.deepEqual((await pairings.findById(input.id))?.poll?.expiresAt, sooner);
    // A claim that needed no poll has none to cap.
    const plain = newPairing();
    await pairings.create(plain);
    const other = grant();
    await pairings.claim({ secretHash: plain.secretHash }, other);
    await pairings.capPoll(plain.id, other.deviceId, sooner);
    assert.equal((await pairings.findById(plain.id))?.poll, null);
  });

  describe('poll (RFC 8628 pacing)', () => {
    const pendingClaim = async (intervalSeconds = 5) => {
      const input = newPairing();
      await pairings.create(input);
      const pollSecretHash = hex();
      const claimedAt = new Date();
      const pollExpiresAt = new Date(claimedAt.getTime() + 10 * minute);
      const claimed = await pairings.claim(
        { secretHash: input.secretHash },
        grant(claimedAt, { secretHash: pollSecretHash, expiresAt: pollExpiresAt, intervalSeconds }),
      );
      assert.notEqual(claimed, null);
      return { input, pollSecretHash, claimedAt, pollExpiresAt };
    };

    it('answers ok, slow_down with an interval grown by 5, then ok after the interval', async () => {
      const { input, pollSecretHash, claimedAt, pollExpiresAt } = await pendingClaim(5);
      assert.deepEqual((await stored(input.id))?.purgeAt, pollExpiresAt);
      const t0 = new Date(claimedAt.getTime() + second);
      const first = await pairings.poll(pollSecretHash, t0, 5);
      assert.equal(first.kind, 'ok');
      assert.deepEqual(first.kind === 'ok' ? first.pairing.poll?.lastPolledAt : null, t0);

      const t1 = new Date(t0.getTime() + 4 * second);
      const fast = await pairings.poll(pollSecretHash, t1, 5);
      assert.equal(fast.kind, 'slow_down');
      assert.equal(fast.kind === 'slow_down' ? fast.intervalSeconds : 0, 10);

      // The interval is now 10 s, counted from the last poll.
      assert.equal(
        (await pairings.poll(pollSecretHash, new Date(t1.getTime() + 9 * second), 5)).kind,
        'slow_down',
      );
      const t2 = new Date(t1.getTime() + 9 * second);
      const t3 = new Date(t2.getTime() + 15 * second);
      const paced = await pairings.poll(pollSecretHash, t3, 5);
      assert.equal(paced.kind, 'ok');
      assert.equal(paced.kind === 'ok' ? paced.pairing.poll?.intervalSeconds : 0, 15);
    });

    it('lets one of 10 simultaneous polls through; the others slow down', async () => {
      const { pollSecretHash, claimedAt } = await pendingClaim(5);
      const now = new Date(claimedAt.getTime() + second);
      const results = await Promise.all(
        Array.from({ length: 10 }, () => pairings.poll(pollSecretHash, now, 5)),
      );
      assert.equal(results.filter((r) => r.kind === 'ok').length, 1);
      assert.equal(results.filter((r) => r.kind === 'slow_down').length, 9);
    });

    it('completes once, and a completed, expired or unknown poll is unknown', async () => {
      const { input, pollSecretHash, claimedAt, pollExpiresAt } = await pendingClaim(5);
      assert.equal((await pairings.poll(pollSecretHash, pollExpiresAt, 5)).kind, 'unknown');
      assert.equal((await pairings.poll(hex(), claimedAt, 5)).kind, 'unknown');
      assert.equal(
        (await pairings.poll({ $ne: null } as unknown as string, claimedAt, 5)).kind,
        'unknown',
      );
      const now = new Date(claimedAt.getTime() + second);
      assert.equal(await pairings.completePoll(input.id, now), true);
      assert.equal(await pairings.completePoll(input.id, new Date()), false);
      const before = await stored(input.id);
      assert.equal(
        (await pairings.poll(pollSecretHash, new Date(now.getTime() + minute), 5)).kind,
        'unknown',
      );
      assert.deepEqual(await stored(input.id), before, 'an unknown poll changes nothing');
      assert.deepEqual(
        (await pairings.findOwned(input.ownerId, input.sessionId, input.id))?.poll?.completedAt,
        now,
      );
    });

    it('has no poll to complete on a claim that needed none', async () => {
      const input = newPairing();
      await pairings.create(input);
      await pairings.claim({ secretHash: input.secretHash }, grant());
      assert.equal(await pairings.completePoll(input.id, new Date()), false);
      assert.equal(await pairings.completePoll('unknown-id', new Date()), false);
    });
  });
});
