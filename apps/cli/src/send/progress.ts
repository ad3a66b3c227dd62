// One file's progress: a TTY bar through Output.progress, and --json `progress` lines at most
// about 4 a second per file (a phase's first and last always).
import type { Output } from '../core/output.ts';
import type { Phase } from '../upload/file-upload.ts';

const JSON_INTERVAL_MS = 250;
const LABELS: Record<Phase, string> = {
  hashing: 'Hashing',
  uploading: 'Uploading',
  verifying: 'Verifying',
};

export class FileProgress {
  fileId: string | null = null;
  private readonly out: Output;
  private readonly name: string;
  private readonly bar: string;
  private lastPhase: Phase | null = null;
  private lastAt = 0;
  private readonly now: () => number;

  constructor(out: Output, bar: string, name: string, now: () => number = Date.now) {
    this.out = out;
    this.bar = bar;
    this.name = name;
    this.now = now;
  }

  update(phase: Phase, done: number, total: number): void {
    this.out.progress(this.bar, `${LABELS[phase]} ${this.name}`, done, total);
    const at = this.now();
    const changed = phase !== this.lastPhase;
    if (!changed && done < total && at - this.lastAt < JSON_INTERVAL_MS) return;
    this.lastPhase = phase;
    this.lastAt = at;
    this.out.event({ event: 'progress', fileId: this.fileId, name: this.name, phase, done, total });
  }

  finish(): void {
    this.out.done(this.bar);
  }
}
