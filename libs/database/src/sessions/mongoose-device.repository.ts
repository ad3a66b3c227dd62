import { Injectable } from '@nestjs/common';
import type { Permission } from '@app/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, QueryFilter } from 'mongoose';
import {
  DeviceRepository,
  deviceHistoryCap,
  type AddDeviceResult,
  type NewDevice,
} from './device.repository.js';
import { liveAt } from './mongoose-session.repository.js';
import { SessionOutbox } from './session-outbox.js';
import { toSessionRecord, type LeanSession } from './session.records.js';
import { Session, type DeviceDoc } from './session.schema.js';
import type { DeviceStatus, SessionEventInput, SessionRecord } from './session.types.js';

// Pending and active devices are what `stats.devices` counts (and maxDevices bounds).
const COUNTED: readonly DeviceStatus[] = ['pending', 'active'];
const isCounted = (status: DeviceStatus): boolean => COUNTED.includes(status);

/** The gauge's count gives up after this long (server-side), so a slow database cannot stall a scrape. */
export const COUNT_ACTIVE_MAX_TIME_MS = 2000;

type SessionHead = Pick<LeanSession, '_id' | 'status' | 'expiresAt' | 'limits' | 'stats'>;
const HEAD = { _id: 1, status: 1, expiresAt: 1, limits: 1, stats: 1 } as const;

const isLive = (head: SessionHead, now: Date): boolean =>
  head.status === 'active' && head.expiresAt.getTime() > now.getTime();

@Injectable()
export class MongooseDeviceRepository extends DeviceRepository {
  constructor(
    @InjectModel(Session.name) private readonly sessions: Model<Session>,
    private readonly outbox: SessionOutbox,
  ) {
    super();
  }

  async add(
    sessionId: string,
    device: NewDevice,
    now: Date,
    event: SessionEventInput,
  ): Promise<AddDeviceResult> {
    const id = String(sessionId);
    // limits never change after creation, so maxDevices read here still holds at the update.
    const before = await this.head(id);
    if (before === null) return { ok: false, reason: 'not_found' };
    if (!isLive(before, now)) return { ok: false, reason: 'inactive' };
    const maxDevices = Math.trunc(Number(before.limits.maxDevices));
    if (!(maxDevices >= 1)) return { ok: false, reason: 'full' };
    const historyCap = deviceHistoryCap(maxDevices);

    const doc: DeviceDoc = {
      id: String(device.id),
      name: String(device.name),
      userAgent: device.userAgent === null ? null : String(device.userAgent),
      status: device.status === 'active' ? 'active' : 'pending',
      permissions: device.permissions.map((p) => String(p) as Permission),
      pairingId: String(device.pairingId),
      createdAt: new Date(device.createdAt),
      lastSeenAt: null,
      decidedAt: null,
    };
    const after = await this.outbox.apply(
      {
        _id: id,
        ...liveAt(now),
        'stats.devices': { $lt: maxDevices },
        // The history cap: no element at index cap − 1, i.e. fewer than that many devices.
        [`devices.${String(historyCap - 1)}`]: { $exists: false },
      },
      { $push: { devices: doc }, $inc: { 'stats.devices': 1 } },
      event,
      now,
    );
    if (after !== null) return { ok: true, session: toSessionRecord(after) };

    // Refused: say why from what the session looks like now (with the device at the cap's last
    // index, if there is one).
    const current = await this.sessions
      .findOne({ _id: id }, { ...HEAD, devices: { $slice: [historyCap - 1, 1] } })
      .lean<SessionHead & Pick<LeanSession, 'devices'>>()
      .exec();
    if (current === null) return { ok: false, reason: 'not_found' };
    if (!isLive(current, now)) return { ok: false, reason: 'inactive' };
    if (current.devices.length > 0) return { ok: false, reason: 'history_full' };
    return { ok: false, reason: 'full' };
  }

  async transition(
    ownerId: string,
    sessionId: string,
    deviceId: string,
    from: DeviceStatus[],
    to: DeviceStatus,
    now: Date,
    event: SessionEventInput,
    requireLiveSession: boolean,
  ): Promise<SessionRecord | null> {
    const target = String(to) as DeviceStatus;
    const fromStates = from.map((s) => String(s) as DeviceStatus);
    if (isCounted(target) && fromStates.some((s) => !isCounted(s))) {
      // That would need the maxDevices check of add(); no flow re-admits a device.
      throw new Error(`device transition ${fromStates.join('|')} → ${target} is not supported`);
    }
    // One conditional update per countedness of the current state, so the counter moves by
    // exactly what the matched device's change means. Each attempt re-checks the state.
    const groups = [
      fromStates.filter((s) => isCounted(s)),
      fromStates.filter((s) => !isCounted(s)),
    ].filter((g) => g.length > 0);
    for (const group of groups) {
      const wasCounted = isCounted(group[0]);
      const delta = (isCounted(target) ? 1 : 0) - (wasCounted ? 1 : 0);
      const filter: QueryFilter<Session> = {
        _id: String(sessionId),
        ownerId: String(ownerId),
        devices: { $elemMatch: { id: String(deviceId), status: { $in: group } } },
        ...(requireLiveSession ? liveAt(now) : {}),
      };
      const doc = await this.outbox.apply(
        filter,
        {
          $set: { 'devices.$.status': target, 'devices.$.decidedAt': now },
          ...(delta === 0 ? {} : { $inc: { 'stats.devices': delta } }),
        },
        event,
        now,
      );
      if (doc !== null) return toSessionRecord(doc);
    }
    return null;
  }

  async countActive(now: Date): Promise<number> {
    const [row] = await this.sessions
      .aggregate<{ n: number }>([
        { $match: { ...liveAt(now), 'devices.status': 'active' } },
        { $unwind: '$devices' },
        { $match: { 'devices.status': 'active' } },
        { $count: 'n' },
      ])
      .option({ maxTimeMS: COUNT_ACTIVE_MAX_TIME_MS })
      .exec();
    return row?.n ?? 0;
  }

  async touch(
    sessionId: string,
    deviceId: string,
    now: Date,
    minIntervalMs: number,
  ): Promise<void> {
    const threshold = new Date(now.getTime() - Number(minIntervalMs));
    await this.sessions
      .updateOne(
        {
          _id: String(sessionId),
          devices: {
            $elemMatch: {
              id: String(deviceId),
              $or: [{ lastSeenAt: null }, { lastSeenAt: { $lt: threshold } }],
            },
          },
        },
        { $set: { 'devices.$.lastSeenAt': now } },
      )
      .exec();
  }

  private async head(id: string): Promise<SessionHead | null> {
    return this.sessions.findOne({ _id: id }, HEAD).lean<SessionHead>().exec();
  }
}
