// Settings that are valid but unsafe outside tests: loadConfig accepts them (tests need them),
// and the app that acts on them logs the warning at startup.
import type { AppConfig } from './app-config.js';

/**
 * The shortest ORPHAN_GRACE_SECONDS that is safe with real traffic. The reconciliation aborts a
 * multipart upload no pending record knows once storage dates it older than the grace, and a
 * declare creates its upload before it writes the record, and that write can take over a minute
 * when MongoDB is slow (5 s server selection, a 30 s socket timeout, one retry). Five minutes
 * covers it, and a storage clock that runs somewhat behind the worker's. (Objects need no such margin:
 * one no live record names stays an orphan however long it waits.)
 */
export const ORPHAN_GRACE_SAFE_SECONDS = 300;

type GraceSettings = Pick<AppConfig, 'nodeEnv'> & {
  jobs: Pick<AppConfig['jobs'], 'orphanGraceSeconds'>;
};

/**
 * The warning the worker logs at startup when ORPHAN_GRACE_SECONDS is below
 * ORPHAN_GRACE_SAFE_SECONDS, or undefined. Silent under NODE_ENV=test, whose short graces are
 * deliberate.
 */
export function orphanGraceWarning(config: GraceSettings): string | undefined {
  const grace = config.jobs.orphanGraceSeconds;
  if (config.nodeEnv === 'test' || grace >= ORPHAN_GRACE_SAFE_SECONDS) return undefined;
  return (
    `ORPHAN_GRACE_SECONDS=${String(grace)} is under ${String(ORPHAN_GRACE_SAFE_SECONDS)}: ` +
    'reconcile-storage may abort the multipart upload of a declare that has not yet written its ' +
    'record (a slow MongoDB, or a storage clock behind the worker), and that upload then fails. ' +
    `Short graces are for tests; use at least ${String(ORPHAN_GRACE_SAFE_SECONDS)} (default 3600).`
  );
}
