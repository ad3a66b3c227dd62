// Small helpers shared by the operational e2e specs (fault tests, embedded default, worker).
import { fileURLToPath } from 'node:url';

/** Root of the compiled tree these specs run from (dist/). */
export const compiledRoot = fileURLToPath(new URL('../../../', import.meta.url));

// A port number for a child process that must be told one; see test/support/ports.ts for the
// race-free alternatives (port 0, a listening server, withFreePorts).
export { freePortNumber as freePort, withFreePorts } from '../../support/ports.js';
