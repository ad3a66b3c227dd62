// Production entry point of the worker (`node dist/apps/worker/src/main.js`): reads its
// configuration from the environment and never starts the devstack.
import { Logger } from '@nestjs/common';
import { loadConfigOrExit, orphanGraceWarning } from '@app/config';

// Past the runner's own bound (10 s for runs in progress, then their leases are released). Jobs
// are idempotent and resumable, so a shutdown that overruns may be cut short safely.
const SHUTDOWN_DEADLINE_MS = 25_000;

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  // Loaded only once the configuration is valid: a typo is reported at once, without first
  // loading Nest, the AWS SDK and Mongoose.
  const { createWorkerApp } = await import('./bootstrap.js');
  const app = await createWorkerApp(config);
  // On SIGTERM/SIGINT Nest stops the job ticks, waits for the runs in progress and releases their
  // leases (another replica takes the jobs at once), closes the HTTP server and MongoDB, exits 0.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
    });
  }
  await app.listen(config.workerPort, config.host);
  // Like the API's startup warnings: a setting loadConfig accepts (tests need it) but unsafe here.
  const warning = orphanGraceWarning(config);
  if (warning !== undefined) new Logger('Main').warn(warning);
}

main().catch((err: unknown) => {
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`Worker failed to start: ${detail}\n`);
  process.exit(1);
});
