// Runs one app (its compiled main.js, given as the first argument) as a child of the launcher,
// and ends it when the launcher goes away: the IPC channel to the launcher closes when the
// launcher exits by any means (even SIGKILL), and the app then gets the same SIGTERM a process
// manager would send, so it drains and exits instead of holding its port as an orphan. The
// production entry points know nothing of this; only `npm start` runs apps through here.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const entry = process.argv[2];
if (entry === undefined) {
  console.error('[start] child-entry needs the app entry point as its argument');
  process.exit(2);
}
if (process.channel !== undefined) {
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  // The channel must not keep the app alive once it has shut down on its own.
  process.channel.unref();
}
await import(pathToFileURL(resolve(entry)).href);
