// Production entry point of the API (`node dist/apps/api/src/main.js`): reads its configuration
// from the environment and never starts the devstack.
import { loadConfigOrExit } from '@app/config';
import { opsExposureWarning, opsSurface } from './ops/ops-exposure.js';

const SHUTDOWN_DEADLINE_MS = 25_000;

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  // Loaded only once the configuration is valid: a typo is reported at once, without first
  // loading Nest, the AWS SDK and Mongoose.
  const [{ createApiApp }, { Logger }] = await Promise.all([
    import('./bootstrap.js'),
    import('@nestjs/common'),
  ]);
  const app = await createApiApp(config);
  // On SIGTERM/SIGINT: new requests get 503, in-flight ones finish, Fastify and Mongo close,
  // then the ops listener (OPS_PORT: /metrics answers during the drain), then exit 0. A shutdown
  // that hangs is cut short so an orchestrator is never left waiting.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
    });
  }
  await app.listen(config.port, config.host);
  const logger = new Logger('Main');
  logger.log(
    `API listening on ${config.host}:${String(config.port)} (${config.publicUrl}); ${opsSurface(config)}`,
  );
  const warning = opsExposureWarning(config);
  if (warning !== undefined) logger.warn(warning);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `API failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
