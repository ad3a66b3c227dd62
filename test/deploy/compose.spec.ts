// docker-compose.yml, checked without a Docker engine: it parses, interpolates with its own
// defaults, gives every app what the apps' configuration loader requires, and wires the replica
// set, MinIO, the shared signing key and the proxy the way the comments say.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { abortAfterDays } from '../../apps/worker/src/jobs/runner/bucket-lifecycle.setup.js';
import { loadRecording, testKeyFile, unreadVariables } from './app-env.js';
import { shutdownDeadlineMs } from './app-timeouts.js';
import { loadCompose, service, type ComposeService } from './compose-file.js';
import { isRecord, listAt, readRepoFile, recordAt, repoPath } from './repo-files.js';

const compose = loadCompose();
const apps = [...compose.services.values()].filter((s) => s.raw.image === 'sharexpress:local');
const byCommand = (cmd: string) => apps.filter((s) => s.command[0] === cmd);
const apis = byCommand('api');
const workers = byCommand('worker');

/** The mount of `service` whose target contains `path`. */
const mountHolding = (s: ComposeService, path: string) =>
  s.volumes.find((v) => path === v.target || path.startsWith(`${v.target}/`));

/** Its environment with the key file it mounts replaced by a real key (the jwt-key job's). */
function bootEnv(s: ComposeService): Record<string, string> {
  const env = { ...s.environment };
  if (env.JWT_PRIVATE_KEY_FILE !== undefined) env.JWT_PRIVATE_KEY_FILE = testKeyFile();
  return env;
}

describe('docker-compose.yml', () => {
  it('runs two API replicas and a worker from the one image', () => {
    assert.equal(apis.length, 2, apis.map((s) => s.name).join(', '));
    assert.equal(workers.length, 1);
    for (const s of [...apis, ...workers]) {
      assert.equal(s.raw.build, '.', `${s.name} builds the Dockerfile`);
    }
  });

  it('gives each app every setting the apps require in production, and none they ignore', () => {
    for (const s of [...apis, ...workers]) {
      const env = bootEnv(s);
      assert.equal(env.NODE_ENV, 'production', s.name);
      const loaded = loadRecording(env);
      assert.deepEqual(unreadVariables(env, loaded), [], `${s.name} sets variables nobody reads`);
    }
    for (const s of apis) {
      assert.ok(s.environment.PORT !== undefined && s.environment.OPS_PORT !== undefined, s.name);
      assert.notEqual(s.environment.OPS_PORT, s.environment.PORT);
    }
  });

  it('has both API replicas sign with one key, installed by the jwt-key job', () => {
    const job = service(compose, 'jwt-key');
    const keyFiles = new Set(apis.map((s) => s.environment.JWT_PRIVATE_KEY_FILE));
    assert.equal(keyFiles.size, 1, 'one JWT_PRIVATE_KEY_FILE for every replica');
    const [file = ''] = [...keyFiles];
    const mounts = apis.map((s) => mountHolding(s, file));
    for (const [i, mount] of mounts.entries()) {
      assert.ok(mount?.readOnly, `${apis[i]?.name ?? ''} mounts ${file} read-only`);
    }
    const volumes = new Set(mounts.map((m) => m?.source));
    assert.equal(volumes.size, 1, 'the same volume in every replica');
    const [volume = ''] = [...volumes];
    assert.ok(isRecord(compose.raw.volumes) && volume in compose.raw.volumes, 'a named volume');
    // The job writes <keys-dir>/<the file's name> on that volume.
    const jobMount = job.volumes.find((v) => v.source === volume && !v.readOnly);
    assert.ok(jobMount, 'the jwt-key job mounts the volume writable');
    const entrypoint = listAt(job.raw, 'entrypoint').map(String);
    assert.equal(entrypoint.at(-1), jobMount.target, 'the job writes where it mounts the volume');
    const script = job.volumes.find((v) => v.target === entrypoint[1]);
    assert.ok(script !== undefined && existsSync(repoPath(script.source)), 'its script is mounted');
    assert.ok(file.endsWith('/jwt-private-key.pem'), file);
    for (const s of apis) {
      const dependsOn = recordAt(s.raw, 'depends_on', s.name);
      assert.deepEqual(dependsOn['jwt-key'], { condition: 'service_completed_successfully' });
    }
  });

  it('runs MongoDB as a single-node replica set that the apps address as one', () => {
    const mongo = service(compose, 'mongo');
    const args = mongo.command.join(' ');
    const setName = /--replSet\s+(\S+)/.exec(args)?.[1];
    assert.ok(setName, 'mongod --replSet');
    assert.match(args, /--keyFile\s+\S+/, 'a replica set with access control needs a key file');
    const healthcheck = listAt(recordAt(mongo.raw, 'healthcheck', 'mongo'), 'test').join(' ');
    const script = /--file\s+(\S+)/.exec(healthcheck)?.[1] ?? '';
    const mount = mountHolding(mongo, script);
    assert.ok(mount, `the health check's ${script} is mounted`);
    const init = readRepoFile(
      `${mount.source.replace(/^\.\//, '')}${script.slice(mount.target.length)}`,
    );
    assert.match(init, new RegExp(`_id: '${setName}'`));
    assert.match(init, /host: 'mongo:27017'/);
    // The apps log in as the user the first start creates (deploy/mongo/create-app-user.sh).
    const initdb = mongo.volumes.find((v) => v.target.startsWith('/docker-entrypoint-initdb.d/'));
    assert.ok(initdb, 'a first-start script creates the apps user');
    const createUser = readRepoFile(initdb.source.replace(/^\.\//, ''));
    const userDb = / (\w+) --eval/.exec(createUser)?.[1];
    assert.match(createUser, /process\.env\.MONGO_APP_USER/);
    assert.match(createUser, /process\.env\.MONGO_APP_PASSWORD/);
    for (const s of [...apis, ...workers]) {
      const uri = new URL(s.environment.MONGODB_URI ?? '');
      assert.equal(uri.host, 'mongo:27017', s.name);
      assert.equal(uri.searchParams.get('replicaSet'), setName, s.name);
      assert.equal(decodeURIComponent(uri.username), mongo.environment.MONGO_APP_USER);
      assert.equal(decodeURIComponent(uri.password), mongo.environment.MONGO_APP_PASSWORD);
      assert.equal(uri.searchParams.get('authSource'), userDb, 'authSource: the users database');
      assert.equal(uri.pathname, `/${userDb ?? ''}`);
    }
  });

  it('has MinIO serve the bucket, with CORS for PUBLIC_URL and stale uploads aborted', () => {
    const minio = service(compose, 'minio');
    const init = service(compose, 'minio-init');
    const [api] = apis;
    assert.ok(api);
    const env = api.environment;
    assert.equal(init.environment.S3_BUCKET, env.S3_BUCKET);
    // The apps use the user minio-init creates, not the root credentials.
    assert.equal(init.environment.S3_APP_ACCESS_KEY, env.S3_ACCESS_KEY_ID);
    assert.equal(init.environment.S3_APP_SECRET_KEY, env.S3_SECRET_ACCESS_KEY);
    assert.notEqual(env.S3_ACCESS_KEY_ID, minio.environment.MINIO_ROOT_USER);
    const script = readRepoFile('deploy/minio/init.sh');
    assert.match(script, /mc mb --ignore-existing "local\/\$S3_BUCKET"/);
    assert.match(script, /mc admin user add local "\$S3_APP_ACCESS_KEY" "\$S3_APP_SECRET_KEY"/);
    assert.deepEqual(recordAt(init.raw, 'depends_on', 'minio-init').minio, {
      condition: 'service_healthy',
    });
    assert.equal(
      minio.environment.MINIO_API_CORS_ALLOW_ORIGIN,
      new URL(env.PUBLIC_URL ?? '').origin,
    );
    // MinIO's stand-in for the worker's AbortIncompleteMultipartUpload rule, with its delay:
    // never sooner, or an upload still inside its window would be aborted.
    const [worker] = workers;
    assert.ok(worker);
    const { config } = loadRecording(bootEnv(worker));
    assert.equal(
      minio.environment.MINIO_API_STALE_UPLOADS_EXPIRY,
      `${String(abortAfterDays(config.files.uploadWindowSeconds) * 24)}h`,
    );
  });

  it('signs presigned URLs for an address the host browser reaches', () => {
    const minio = service(compose, 'minio');
    for (const s of [...apis, ...workers]) {
      const internal = new URL(s.environment.S3_ENDPOINT ?? '');
      assert.equal(internal.hostname, 'minio', s.name);
      const pub = new URL(s.environment.S3_PUBLIC_ENDPOINT ?? '');
      assert.match(pub.hostname, /^(localhost|127\.0\.0\.1)$/);
      const published = minio.ports.find((p) => p.hostPort === pub.port);
      assert.equal(published?.containerPort, internal.port, 'that port is MinIO S3 port');
    }
  });

  it('gates the apps on a primary MongoDB and a ready bucket, and names its volumes', () => {
    for (const s of [...apis, ...workers]) {
      const dependsOn = recordAt(s.raw, 'depends_on', s.name);
      assert.deepEqual(dependsOn.mongo, { condition: 'service_healthy' }, s.name);
      assert.deepEqual(dependsOn['minio-init'], { condition: 'service_completed_successfully' });
    }
    const declared = Object.keys(isRecord(compose.raw.volumes) ? compose.raw.volumes : {});
    for (const s of compose.services.values()) {
      for (const v of s.volumes.filter((m) => !/^[./]/.test(m.source))) {
        assert.ok(declared.includes(v.source), `${s.name}: volume ${v.source} is not declared`);
      }
      const healthy = s.raw.healthcheck !== undefined || s.raw.image === 'sharexpress:local';
      const oneShot = s.raw.restart === 'no';
      assert.ok(healthy || oneShot, `${s.name} has no health check`);
    }
    assert.ok(mountHolding(service(compose, 'mongo'), '/data/db')?.source === 'mongo-data');
    assert.ok(mountHolding(service(compose, 'minio'), '/data')?.source === 'minio-data');
  });

  it('gives the apps longer to stop than their own shutdown deadline', () => {
    for (const s of [...apis, ...workers]) {
      const grace = /^(\d+)s$/.exec(String(s.raw.stop_grace_period))?.[1];
      const app = s.command[0] === 'api' ? 'api' : 'worker';
      assert.ok(Number(grace) * 1000 > shutdownDeadlineMs(app), `${s.name}: ${String(grace)}`);
    }
  });
});
