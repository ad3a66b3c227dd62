// `npm run devstack -- [--data-dir DIR] [--mongo-port N] [--s3-port N]`: the devstack's MongoDB
// and S3 servers in the foreground, for running the apps or tools against them by hand.
// stdout carries only KEY=value lines (eval / .env friendly); everything for humans goes to stderr.
// Exit codes: 0 stopped by SIGINT/SIGTERM, 1 failed to start or stop, 2 bad arguments.
import { envLine } from './cli/env-lines.js';
import { parseCli, USAGE, UsageError, type CliCommand } from './cli/args.js';
import type { RunningDevstack } from './embedded/devstack-runner.js';

const say = (line: string): void => {
  process.stderr.write(`devstack: ${line}\n`);
};

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function main(): void {
  let command: CliCommand;
  try {
    command = parseCli(process.argv.slice(2), process.env, process.cwd());
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`devstack: ${err.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (command.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { plan, region } = command;

  let stopping = false;
  // Loaded only now, so --help and argument errors answer without loading both servers.
  const starting: Promise<RunningDevstack> = import('./embedded/devstack-runner.js').then((m) =>
    m.startDevstack(plan, region),
  );
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      say(`${signal} again: exiting without waiting for the servers to flush`);
      process.exit(1);
    }
    stopping = true;
    say(`${signal} received, stopping`);
    void starting
      .then((devstack) => devstack.stop())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          say(`stopping failed: ${reason(err)}`);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  starting.then(
    (devstack) => {
      if (stopping) return;
      const { mongo, s3 } = devstack;
      const settings: [string, string][] = [
        ['MONGODB_URI', `${mongo.uri}/sharexpress`],
        ['S3_ENDPOINT', s3.endpoint],
        ['S3_REGION', s3.region],
        ['S3_FORCE_PATH_STYLE', 'true'],
        ['S3_ACCESS_KEY_ID', s3.credentials.accessKeyId],
        ['S3_SECRET_ACCESS_KEY', s3.credentials.secretAccessKey],
      ];
      process.stdout.write(settings.map(([k, v]) => `${envLine(k, v)}\n`).join(''));
      for (const note of devstack.fallbacks) say(`${note}, so a free port was used instead`);
      say(`data under ${plan.dataDir}; development only, never production. Ctrl-C stops.`);
    },
    (err: unknown) => {
      say(`could not start: ${reason(err)}`);
      process.exit(1);
    },
  );
}

main();
