// The apps' own time bounds, read from their sources, so a deployment's grace periods follow
// them: a longer request timeout or shutdown deadline fails the deployment specs until the
// manifests allow for it.
import { readRepoFile } from './repo-files.js';

function constantIn(file: string, pattern: RegExp): number {
  const m = pattern.exec(readRepoFile(file))?.[1];
  if (m === undefined) throw new Error(`${file} no longer matches ${String(pattern)}`);
  return Number(m.replaceAll('_', ''));
}

/** Fastify's requestTimeout: no request lasts longer. */
export const requestTimeoutMs = (): number =>
  constantIn('libs/common/src/http/fastify-adapter.ts', /requestTimeout:\s*([\d_]+)/);

/** After SIGTERM, each app exits by itself within this. */
export const shutdownDeadlineMs = (app: 'api' | 'worker'): number =>
  constantIn(`apps/${app}/src/main.ts`, /SHUTDOWN_DEADLINE_MS\s*=\s*([\d_]+)/);
