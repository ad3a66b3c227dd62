import { pino } from 'pino';
import { Counter, register } from 'prom-client';

/** What may wait for a slow stdout before lines are dropped: bounded memory, a counted loss. */
export const LOG_BUFFER_MAX_BYTES = 16 * 1024 * 1024;
export const LOG_LINES_DROPPED_METRIC = 'sharexpress_log_lines_dropped_total';

type Destination = ReturnType<typeof pino.destination>;

// Tests start several apps in one process: the counter lives once, in the default registry.
function droppedLines(): Counter {
  const existing = register.getSingleMetric(LOG_LINES_DROPPED_METRIC);
  if (existing instanceof Counter) return existing;
  return new Counter({
    name: LOG_LINES_DROPPED_METRIC,
    help: `Log lines dropped because stdout did not keep up (${String(LOG_BUFFER_MAX_BYTES / 1024 / 1024)} MiB waiting)`,
  });
}

const linesIn = (data: unknown): number => {
  const text = typeof data === 'string' ? data : String(data);
  let lines = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  return Math.max(1, lines);
};

/**
 * pino's asynchronous destination on `fd`, with a bound: under load it joins the lines written
 * while a write is in flight into one, but when the reader of stdout (a terminal, a log shipper,
 * the container runtime) stops keeping up, at most `maxBytes` wait in memory. Lines beyond that
 * are dropped and counted (`sharexpress_log_lines_dropped_total`) instead of growing the heap
 * until the process dies; once the reader catches up, lines flow again.
 */
export function stdoutDestination(fd = 1, maxBytes = LOG_BUFFER_MAX_BYTES): Destination {
  const destination = pino.destination({ dest: fd, sync: false, maxLength: maxBytes });
  const dropped = droppedLines();
  destination.on('drop', (data: unknown) => {
    dropped.inc(linesIn(data));
  });
  return destination;
}
