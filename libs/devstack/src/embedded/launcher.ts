// `npm start`: with neither MONGODB_URI nor S3_ENDPOINT set, starts the devstack (MongoDB and S3,
// data under DATA_DIR), creates the bucket with CORS, then runs the API and the worker as child
// processes wired to it. With both set, it only runs the two apps. Ctrl-C or SIGTERM stops the
// apps (SIGTERM, then a grace period), then the devstack, and exits 0; an app that dies on its
// own brings everything down with exit code 1. The production entry points
// (dist/apps/*/src/main.js) never come here: they only read their configuration.
import { fileURLToPath } from 'node:url';
import { devstackAppEnv } from './app-env.js';
import { renderBanner } from './banner.js';
import { ensureBucket } from './bucket-setup.js';
import { startDevstack, type RunningDevstack } from './devstack-runner.js';
import { reachableHost } from './hosts.js';
import { LaunchError, planLaunch, type LaunchPlan } from './launch-plan.js';
import { Supervisor, type ChildExit } from './supervisor.js';
import { waitUntilLive } from './wait-live.js';

const CHILD_GRACE_MS = 10_000;
const READY_DEADLINE_MS = 60_000;
const PARENT_CHECK_MS = 500;

const entry = (app: string): string =>
  fileURLToPath(new URL(`../../../../apps/${app}/src/main.js`, import.meta.url));

const log = (message: string): void => console.log(`[start] ${message}`);
const fail = (message: string): void => console.error(`[start] ${message}`);

function describeExit({ name, code, signal }: ChildExit): string {
  return signal === null
    ? `${name} exited with code ${String(code)}`
    : `${name} was killed by ${signal}`;
}

class Launcher {
  private readonly supervisor = new Supervisor((exit) =>
    this.shutdown(`${describeExit(exit)} unexpectedly; stopping everything`, 1),
  );
  private devstack?: Promise<RunningDevstack | undefined>;
  private stopping = false;

  constructor(private readonly plan: LaunchPlan) {}

  async run(): Promise<void> {
    const { config, devstack: devstackPlan } = this.plan;
    const env = { ...this.plan.childEnv };
    let mongoUri = env.MONGODB_URI ?? '';
    let s3Endpoint = env.S3_ENDPOINT ?? '';
    const notes: string[] = [];
    let s3Bind: { host: string; port: number } | undefined;

    if (devstackPlan !== undefined) {
      log(`starting the devstack (data under ${devstackPlan.dataDir})`);
      this.devstack = startDevstack(devstackPlan, config.s3.region);
      const devstack = await this.devstack;
      if (devstack === undefined || this.stopping) return;
      notes.push(...devstack.fallbacks.map((f) => `${f}, so a free port was used instead`));
      const appEnv = devstackAppEnv(devstackPlan, devstack);
      const { s3 } = devstack;
      await ensureBucket(
        {
          endpoint: appEnv.S3_ENDPOINT,
          region: s3.region,
          bucket: config.s3.bucket,
          credentials: s3.credentials,
        },
        [config.publicUrl, ...config.corsOrigins].map((url) => new URL(url).origin),
      );
      if (this.stopping) return;
      mongoUri = appEnv.MONGODB_URI;
      s3Endpoint = appEnv.S3_ENDPOINT;
      s3Bind = { host: devstack.s3Host, port: s3.port };
      Object.assign(env, appEnv);
    }

    this.supervisor.start({ name: 'api', entry: entry('api'), env });
    this.supervisor.start({ name: 'worker', entry: entry('worker'), env });

    const host = reachableHost(config.host);
    const live = await waitUntilLive(
      [`http://${host}:${String(config.port)}`, `http://${host}:${String(config.workerPort)}`],
      READY_DEADLINE_MS,
      () => this.stopping,
    );
    if (this.stopping) return;
    if (!live) notes.push('the apps did not answer /health/live within 60 s; see their logs above');
    const embedded = devstackPlan !== undefined;
    // In embedded mode `config` was validated with placeholders: the endpoint is in `env`.
    const s3PublicEndpoint = embedded
      ? env.S3_PUBLIC_ENDPOINT?.trim() || s3Endpoint
      : config.s3.publicEndpoint;
    console.log(
      renderBanner({
        config,
        mongoUri,
        s3Endpoint,
        s3PublicEndpoint,
        s3Bind,
        embedded,
        dataDir: config.dataDir,
        notes,
      }),
    );
  }

  /** Idempotent; a second call (second Ctrl-C) kills the apps at once. */
  shutdown(reason: string, exitCode: number): void {
    if (this.stopping) {
      fail('stopping immediately');
      this.supervisor.killAll();
      process.exit(exitCode === 0 ? 130 : exitCode);
    }
    this.stopping = true;
    (exitCode === 0 ? log : fail)(reason);
    this.stopEverything().then(
      () => process.exit(exitCode),
      (err: unknown) => {
        fail(`stopping failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(exitCode || 1);
      },
    );
  }

  private async stopEverything(): Promise<void> {
    const killed = await this.supervisor.stopAll(CHILD_GRACE_MS);
    for (const name of killed)
      fail(`${name} did not stop within ${String(CHILD_GRACE_MS / 1000)} s; killed`);
    const devstack = await this.devstack?.catch(() => undefined);
    if (devstack !== undefined) {
      await devstack.stop();
      log('devstack stopped');
    }
  }
}

function main(): void {
  let plan: LaunchPlan;
  try {
    plan = planLaunch(process.env, process.cwd());
  } catch (err) {
    fail(err instanceof LaunchError ? err.message : String(err));
    process.exit(1);
  }
  const launcher = new Launcher(plan);
  process.on('SIGINT', () => launcher.shutdown('SIGINT received; stopping', 0));
  process.on('SIGTERM', () => launcher.shutdown('SIGTERM received; stopping', 0));
  process.on('SIGHUP', () => launcher.shutdown('SIGHUP received (terminal closed); stopping', 0));
  // A process manager signals the process it started: `npm` or its shell, which die without
  // passing the signal on. Orphaned, this process gets a new parent: stop then, too.
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    launcher.shutdown('the parent process (npm or its shell) exited; stopping', 0);
  }, PARENT_CHECK_MS).unref();
  // The devstack runs in this process: if it breaks, take the apps down rather than orphan them.
  process.on('uncaughtException', (err) =>
    launcher.shutdown(`unexpected error: ${err.stack ?? String(err)}`, 1),
  );
  launcher.run().catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    launcher.shutdown(`could not start: ${message}`, 1);
  });
}

main();
