import { CLAIM_FLOW } from './pair-script/claim-flow.js';
import { CORE } from './pair-script/core.js';
import { SESSION_VIEW } from './pair-script/session-view.js';
import { START } from './pair-script/start.js';

// The /pair page's script: plain ES2020 for the browser, no framework, same-origin requests
// only. It takes the pairing secret out of the address bar first, claims, waits for approval
// when the session asks for it (RFC 8628 polling), then shows the session until it ends.
// Everything it shows goes in through textContent, never as HTML. Kept as a string (the
// project's TypeScript has no DOM types), written in parts by concern (pair-script/*) that run
// in one IIFE, in this order; pair-page.assets.spec.ts parses and lints the whole.
export const PAIR_SCRIPT = `(function () {
  'use strict';

${[CORE, CLAIM_FLOW, SESSION_VIEW, START].join('\n')}})();
`;
