// deploy/mongo/replica-set.js, docker-compose.yml's MongoDB health check, run against a fake
// mongosh (rs, db, quit): it initiates the replica set once, never twice, and reports healthy
// only when this node is the writable primary.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { readRepoFile } from './repo-files.js';

const source = readRepoFile('deploy/mongo/replica-set.js');

// What the fake quit() throws to end the script, as mongosh's ends it.
class Quit extends Error {
  constructor(readonly code: number) {
    super(`quit(${String(code)})`);
  }
}

/** A mongosh server error: MongoServerError carries MongoDB's codeName. */
class ServerError extends Error {
  constructor(readonly codeName: string) {
    super(codeName);
  }
}

interface Shell {
  /** What rs.status() throws; undefined: the set is initiated. */
  statusError?: ServerError;
  primary: boolean;
}

function healthCheck(shell: Shell): { exitCode: number; initiated: unknown[] } {
  const initiated: unknown[] = [];
  const sandbox = {
    rs: {
      status: () => {
        if (shell.statusError !== undefined) throw shell.statusError;
        return { ok: 1 };
      },
      initiate: (config: unknown) => {
        // Copied out of the script's realm, whose objects have their own prototypes.
        initiated.push(JSON.parse(JSON.stringify(config)));
        return { ok: 1 };
      },
    },
    db: { hello: () => ({ isWritablePrimary: shell.primary }) },
    quit: (code: number) => {
      throw new Quit(code);
    },
  };
  try {
    runInNewContext(source, sandbox);
  } catch (error) {
    if (error instanceof Quit) return { exitCode: error.code, initiated };
    throw error;
  }
  assert.fail('the health check ended without quit()');
}

const notInitiated = new ServerError('NotYetInitialized');

describe("MongoDB's health check", () => {
  it('initiates a fresh node as the one member rs0 at mongo:27017, unhealthy until primary', () => {
    const r = healthCheck({ statusError: notInitiated, primary: false });
    assert.deepEqual(r.initiated, [{ _id: 'rs0', members: [{ _id: 0, host: 'mongo:27017' }] }]);
    assert.equal(r.exitCode, 1);
  });

  it('leaves an initiated set alone, healthy once primary', () => {
    assert.deepEqual(healthCheck({ primary: true }), { exitCode: 0, initiated: [] });
    assert.deepEqual(healthCheck({ primary: false }), { exitCode: 1, initiated: [] });
  });

  it('fails on any other error without initiating', () => {
    const unauthorized = new ServerError('Unauthorized');
    assert.throws(() => healthCheck({ statusError: unauthorized, primary: false }), {
      codeName: 'Unauthorized',
    });
  });
});
