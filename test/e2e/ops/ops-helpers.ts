// Small helpers shared by the operational e2e specs (fault tests, embedded default, worker).
import { fileURLToPath } from 'node:url';

/** Root of the compiled tree these specs run from (dist/ or OUT_DIR). */
export const compiledRoot = fileURLToPath(new URL('../../../', import.meta.url));

// A port number for a child process that must be told one; see test/support/ports.ts for the
// race-free alternatives (port 0, a listening server, withFreePorts).
export { freePortNumber as freePort, withFreePorts } from '../../support/ports.js';

/** Why a suite is skipped when the backends are real services we must not stop. */
export const EXTERNAL_SKIP_REASON =
  'fault injection needs the devstack: MONGODB_URI / S3_ENDPOINT point at real services';
