// Questions on stderr, answers from stdin lines (a TTY or a pipe alike). One reader is shared by
// every question so lines piped in ahead of time are not lost between two questions.
import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';

let reader: Interface | null = null;
let ended = false;
let muted = false;
const lines: string[] = [];
const waiting: Array<(line: string | null) => void> = [];

// Prompts and echo go to stderr (stdout stays for results and --json lines); muted while a
// hidden answer is typed.
const echo = new Writable({
  write(chunk: Buffer | string, _encoding, callback) {
    if (!muted) process.stderr.write(chunk);
    callback();
  },
});

function open(): Interface {
  if (reader) return reader;
  const rl = createInterface({
    input: process.stdin,
    output: echo,
    terminal: process.stdin.isTTY === true,
  });
  rl.on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else lines.push(line);
    if (waiting.length === 0) rl.pause();
  });
  rl.on('close', () => {
    ended = true;
    for (const next of waiting.splice(0)) next(null);
  });
  // On a TTY readline takes Ctrl-C itself: hand it to the process's handler (main.ts).
  rl.on('SIGINT', () => {
    for (const next of waiting.splice(0)) next(null);
    process.kill(process.pid, 'SIGINT');
  });
  reader = rl;
  return rl;
}

/** Asks on stderr and resolves with the next stdin line, or null at end of input. */
export function ask(question: string, opts: { hidden?: boolean } = {}): Promise<string | null> {
  const buffered = lines.shift();
  if (buffered !== undefined) {
    process.stderr.write(question + '\n');
    return Promise.resolve(buffered);
  }
  if (ended) return Promise.resolve(null);
  const rl = open();
  process.stderr.write(question);
  const hidden = opts.hidden === true && process.stdin.isTTY === true;
  return new Promise((resolve) => {
    muted = hidden;
    waiting.push((line) => {
      muted = false;
      // A TTY echoed the Enter key, except while hidden; a pipe echoes nothing.
      if (hidden || process.stdin.isTTY !== true) process.stderr.write('\n');
      resolve(line);
    });
    rl.resume();
  });
}

/** Every line of stdin up to its end, for `--password-stdin`. */
export async function readAllStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

/** Lets the process exit: stops reading stdin. */
export function closePrompt(): void {
  reader?.close();
  reader = null;
}
