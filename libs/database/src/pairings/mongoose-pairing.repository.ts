import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, QueryFilter } from 'mongoose';
import { conflictOnDuplicate } from '../repository/index.js';
import {
  PairingRepository,
  type ClaimGrant,
  type NewPairing,
  type PairingLookup,
  type PairingRecord,
  type PollResult,
} from './pairing.repository.js';
import { Pairing, type PairingPollDoc } from './pairing.schema.js';

type LeanPairing = Pairing;

const toPairingRecord = (doc: LeanPairing): PairingRecord => ({
  id: doc._id,
  sessionId: doc.sessionId,
  ownerId: doc.ownerId,
  secretHash: doc.secretHash,
  createdAt: doc.createdAt,
  expiresAt: doc.expiresAt,
  claimedAt: doc.claimedAt ?? null,
  deviceId: doc.deviceId ?? null,
  ...(typeof doc.nonce === 'string' ? { nonce: doc.nonce } : {}),
  // The poll secret's hash stays inside the repository.
  poll:
    doc.poll === null || doc.poll === undefined
      ? null
      : {
          expiresAt: doc.poll.expiresAt,
          intervalSeconds: doc.poll.intervalSeconds,
          lastPolledAt: doc.poll.lastPolledAt ?? null,
          completedAt: doc.poll.completedAt ?? null,
        },
});

@Injectable()
export class MongoosePairingRepository extends PairingRepository {
  constructor(@InjectModel(Pairing.name) private readonly pairings: Model<Pairing>) {
    super();
  }

  async create(pairing: NewPairing): Promise<PairingRecord> {
    const expiresAt = new Date(pairing.expiresAt);
    try {
      const doc = await this.pairings.create({
        _id: String(pairing.id),
        sessionId: String(pairing.sessionId),
        ownerId: String(pairing.ownerId),
        secretHash: String(pairing.secretHash),
        codeHash: String(pairing.codeHash),
        ...(pairing.nonce === undefined ? {} : { nonce: String(pairing.nonce) }),
        createdAt: new Date(pairing.createdAt),
        expiresAt,
        claimedAt: null,
        deviceId: null,
        poll: null,
        purgeAt: expiresAt,
      });
      return toPairingRecord(doc.toObject<LeanPairing>());
    } catch (error) {
      throw conflictOnDuplicate(error, 'This pairing code is taken; try another one');
    }
  }

  async findOwned(ownerId: string, sessionId: string, id: string): Promise<PairingRecord | null> {
    const doc = await this.pairings
      .findOne({ _id: String(id), sessionId: String(sessionId), ownerId: String(ownerId) })
      .lean<LeanPairing>()
      .exec();
    return doc === null ? null : toPairingRecord(doc);
  }

  async delete(id: string): Promise<void> {
    await this.pairings.deleteOne({ _id: String(id) }).exec();
  }

  async findById(id: string): Promise<PairingRecord | null> {
    const doc = await this.pairings
      .findOne({ _id: String(id) })
      .lean<LeanPairing>()
      .exec();
    return doc === null ? null : toPairingRecord(doc);
  }

  async claim(lookup: PairingLookup, grant: ClaimGrant): Promise<PairingRecord | null> {
    const by: QueryFilter<Pairing> =
      'secretHash' in lookup
        ? { secretHash: String(lookup.secretHash) }
        : { codeHash: String(lookup.codeHash) };
    const now = new Date(grant.now);
    const poll: PairingPollDoc | null =
      grant.poll === null
        ? null
        : {
            secretHash: String(grant.poll.secretHash),
            expiresAt: new Date(grant.poll.expiresAt),
            intervalSeconds: Number(grant.poll.intervalSeconds),
            lastPolledAt: null,
            completedAt: null,
          };
    const doc = await this.pairings
      .findOneAndUpdate(
        { ...by, claimedAt: null, expiresAt: { $gt: now } },
        {
          $set: { claimedAt: now, deviceId: String(grant.deviceId), poll },
          // purgeAt = max(expiresAt, poll.expiresAt): the pending device may poll that long.
          ...(poll === null ? {} : { $max: { purgeAt: poll.expiresAt } }),
        },
        { returnDocument: 'after' },
      )
      .lean<LeanPairing>()
      .exec();
    return doc === null ? null : toPairingRecord(doc);
  }

  async release(id: string, deviceId: string): Promise<void> {
    const claimed = { _id: String(id), deviceId: String(deviceId) };
    // expiresAt never changes, so the value read here is what purgeAt goes back to.
    const doc = await this.pairings
      .findOne(claimed, { expiresAt: 1 })
      .lean<Pick<LeanPairing, 'expiresAt'>>()
      .exec();
    if (doc === null) return;
    await this.pairings
      .updateOne(claimed, {
        $set: { claimedAt: null, deviceId: null, poll: null, purgeAt: doc.expiresAt },
      })
      .exec();
  }

  async capPoll(id: string, deviceId: string, notAfter: Date): Promise<void> {
    await this.pairings
      .updateOne(
        { _id: String(id), deviceId: String(deviceId), poll: { $ne: null } },
        { $min: { 'poll.expiresAt': new Date(notAfter) } },
      )
      .exec();
  }

  async poll(pollSecretHash: string, now: Date, slowDownStepSeconds: number): Promise<PollResult> {
    const live: QueryFilter<Pairing> = {
      'poll.secretHash': String(pollSecretHash),
      'poll.completedAt': null,
      'poll.expiresAt': { $gt: now },
    };
    // Comparing lastPolledAt with intervalSeconds needs both fields; the interval changes only
    // through slow_down, so read it first and make the update conditional on that value.
    const current = await this.pairings.findOne(live).lean<LeanPairing>().exec();
    if (current?.poll === null || current?.poll === undefined) return { kind: 'unknown' };
    const interval = Number(current.poll.intervalSeconds);
    const paced = await this.pairings
      .findOneAndUpdate(
        {
          ...live,
          'poll.intervalSeconds': interval,
          $or: [
            { 'poll.lastPolledAt': null },
            { 'poll.lastPolledAt': { $lte: new Date(now.getTime() - interval * 1000) } },
          ],
        },
        { $set: { 'poll.lastPolledAt': now } },
        { returnDocument: 'after' },
      )
      .lean<LeanPairing>()
      .exec();
    if (paced !== null) return { kind: 'ok', pairing: toPairingRecord(paced) };
    // Too soon (or a concurrent poll got there first): RFC 8628 slow_down, interval grows.
    const slowed = await this.pairings
      .findOneAndUpdate(
        live,
        {
          $inc: { 'poll.intervalSeconds': Number(slowDownStepSeconds) },
          $set: { 'poll.lastPolledAt': now },
        },
        { returnDocument: 'after' },
      )
      .lean<LeanPairing>()
      .exec();
    if (slowed?.poll === null || slowed?.poll === undefined) return { kind: 'unknown' };
    return {
      kind: 'slow_down',
      intervalSeconds: slowed.poll.intervalSeconds,
      pairing: toPairingRecord(slowed),
    };
  }

  async completePoll(id: string, now: Date): Promise<boolean> {
    const result = await this.pairings
      .updateOne(
        { _id: String(id), poll: { $ne: null }, 'poll.completedAt': null },
        { $set: { 'poll.completedAt': now } },
      )
      .exec();
    return result.matchedCount === 1;
  }
}
