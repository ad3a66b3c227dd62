import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Test, type TestingModule } from '@nestjs/testing';
import { getConnectionToken, getModelToken, MongooseModule } from '@nestjs/mongoose';
import { Schema, type Connection, type Model } from 'mongoose';
import { AppError } from '@app/common';
import { ConfigModule, loadConfig } from '@app/config';
import {
  backendEnv,
  randomSuffix,
  startTestBackends,
  type TestBackends,
} from '../../../test/support/backends.js';
import { eventually } from '../../../test/support/eventually.js';
import { DatabaseModule } from '../src/database.module.js';
import { DatabaseHealthIndicator } from '../src/health/database-health.indicator.js';
import { conflictOnDuplicate, isDuplicateKeyError } from '../src/repository/duplicate-key.js';

interface Widget {
  slug: string;
  size: number;
}
const WidgetSchema = new Schema<Widget>({
  slug: { type: String, required: true },
  size: { type: Number, required: true },
});
// Serves the uniqueness check of the spec below.
WidgetSchema.index({ slug: 1 }, { unique: true });

describe('DatabaseModule against MongoDB (devstack or MONGODB_URI)', () => {
  let backends: TestBackends;
  let moduleRef: TestingModule;
  let health: DatabaseHealthIndicator;
  let widgets: Model<Widget>;

  before(async () => {
    backends = await startTestBackends();
    const config = loadConfig({
      NODE_ENV: 'test',
      ...backendEnv(backends, `sx_db_${randomSuffix()}`),
    });
    moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot({
          tuning: { serverSelectionTimeoutMS: 1500, heartbeatFrequencyMS: 500 },
        }),
        MongooseModule.forFeature([{ name: 'Widget', schema: WidgetSchema }]),
      ],
    }).compile();
    await moduleRef.init();
    health = moduleRef.get(DatabaseHealthIndicator);
    widgets = moduleRef.get<Model<Widget>>(getModelToken('Widget'));
    await widgets.init(); // waits for the startup index build
  });
  after(async () => {
    await moduleRef?.close();
    await backends?.stop();
  });

  it('connects with buffering off and reports up', async () => {
    const connection = moduleRef.get<Connection>(getConnectionToken());
    assert.equal(connection.readyState, 1);
    assert.equal(connection.get('bufferCommands'), false);
    const result = await health.isHealthy();
    assert.equal(result.mongo.status, 'up');
  });

  it('builds declared indexes at startup; E11000 becomes a CONFLICT', async () => {
    const slug = `dup-${randomSuffix()}`;
    await widgets.create({ slug, size: 1 });
    const err = await widgets.create({ slug, size: 2 }).catch((e: unknown) => e);
    assert.ok(isDuplicateKeyError(err));
    const mapped = conflictOnDuplicate(err, 'slug taken');
    assert.ok(mapped instanceof AppError);
    assert.equal(mapped.code, 'CONFLICT');
    assert.equal(mapped.status, 409);
    const other = new Error('boom');
    assert.equal(conflictOnDuplicate(other, 'x'), other);
    assert.equal(isDuplicateKeyError(null), false);
  });

  it('MongoDB stopped: health goes down quickly and queries fail instead of hanging; back on the same port, both recover by themselves', async (t) => {
    if (backends.stopMongo === undefined || backends.startMongo === undefined) {
      return t.skip('real MongoDB: cannot stop it');
    }
    const slug = `kept-${randomSuffix()}`;
    await widgets.create({ slug, size: 7 });
    await backends.stopMongo();
    try {
      const started = performance.now();
      const result = await health.isHealthy('db');
      assert.equal(result.db.status, 'down');
      assert.ok(performance.now() - started < 1500, 'the ping is bounded');

      const queryStarted = performance.now();
      await assert.rejects(widgets.findOne({ slug }).lean().exec());
      assert.ok(performance.now() - queryStarted < 4000, 'fails within server selection time');
    } finally {
      // Whatever failed above, later cases get their database back.
      await backends.startMongo();
    }

    // The way back: nothing but the health probe runs until it reports up again.
    await eventually('health up after the restart', 10_000, async () =>
      (await health.isHealthy()).mongo.status === 'up' ? true : undefined,
    );
    // The same connection serves queries again, and what was written before the outage is there.
    const kept = await widgets.findOne({ slug }).lean<Widget>().exec();
    assert.equal(kept?.size, 7);
  });
});
