// Where things are written. --json: stdout carries one JSON object per line and nothing else
// (human text is dropped); human mode: results on stdout, messages and progress bars on stderr.

export interface Output {
  readonly json: boolean;
  /** Human text to stderr; nothing in --json. */
  info(text: string): void;
  /** --json: one JSON line on stdout; human: the text (a string as is, else pretty JSON). */
  result(value: unknown): void;
  /** --json: one JSON line on stdout; nothing in human mode. */
  event(value: Record<string, unknown>): void;
  /** A progress bar on a TTY's stderr; never in --json or when stderr is not a TTY. */
  progress(id: string, label: string, done: number, total: number): void;
  /** The bar `id` is finished: printed once more, complete, and no longer redrawn. */
  done(id: string): void;
}

interface Stream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

interface Bar {
  label: string;
  done: number;
  total: number;
}

const REDRAW_MS = 100;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function renderBar(bar: Bar, columns: number): string {
  const ratio = bar.total > 0 ? Math.min(1, bar.done / bar.total) : 1;
  const pct = `${Math.floor(ratio * 100)}%`.padStart(4);
  const amount = `${formatBytes(bar.done)}/${formatBytes(bar.total)}`;
  const label = bar.label.length > 30 ? bar.label.slice(0, 29) + '…' : bar.label;
  const width = Math.max(10, Math.min(40, columns - label.length - amount.length - 12));
  const filled = Math.round(ratio * width);
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${pct} ${amount}`;
}

class StreamOutput implements Output {
  readonly json: boolean;
  readonly #stdout: Stream;
  readonly #stderr: Stream;
  readonly #bars = new Map<string, Bar>();
  #drawn = 0;
  #lastDraw = 0;

  constructor(json: boolean, stdout: Stream, stderr: Stream) {
    this.json = json;
    this.#stdout = stdout;
    this.#stderr = stderr;
  }

  get #barsOn(): boolean {
    return !this.json && this.#stderr.isTTY === true;
  }

  info(text: string): void {
    if (this.json) return;
    this.#clear();
    this.#stderr.write(text.endsWith('\n') ? text : text + '\n');
    this.#draw();
  }

  result(value: unknown): void {
    if (this.json) {
      this.#stdout.write(JSON.stringify(value) + '\n');
      return;
    }
    this.#clear();
    const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
    this.#stdout.write(text.endsWith('\n') ? text : text + '\n');
    this.#draw();
  }

  event(value: Record<string, unknown>): void {
    if (this.json) this.#stdout.write(JSON.stringify(value) + '\n');
  }

  progress(id: string, label: string, done: number, total: number): void {
    if (!this.#barsOn) return;
    this.#bars.set(id, { label, done, total });
    const now = Date.now();
    if (now - this.#lastDraw < REDRAW_MS) return;
    this.#clear();
    this.#draw();
  }

  done(id: string): void {
    const bar = this.#bars.get(id);
    if (!bar || !this.#barsOn) return;
    this.#clear();
    this.#bars.delete(id);
    this.#stderr.write(renderBar({ ...bar, done: bar.total }, this.#columns) + '\n');
    this.#draw();
  }

  get #columns(): number {
    return this.#stderr.columns ?? 80;
  }

  #clear(): void {
    if (this.#drawn === 0) return;
    this.#stderr.write(`\x1b[${this.#drawn}A\r\x1b[J`);
    this.#drawn = 0;
  }

  #draw(): void {
    if (!this.#barsOn || this.#bars.size === 0) return;
    let text = '';
    for (const bar of this.#bars.values()) text += renderBar(bar, this.#columns) + '\n';
    this.#stderr.write(text);
    this.#drawn = this.#bars.size;
    this.#lastDraw = Date.now();
  }
}

export function createOutput(
  json: boolean,
  stdout: Stream = process.stdout,
  stderr: Stream = process.stderr,
): Output {
  return new StreamOutput(json, stdout, stderr);
}
