// What the soak believes the system holds, written as the API confirms each step: the invariants
// at the end compare storage, the database and the API's answers with it.

export interface LedgerFile {
  id: string;
  sessionId: string;
  key: string;
  size: number;
  sha256: string;
  mode: 'single' | 'multipart';
  /** ready once complete (or the worker's verification) said so; deleted once DELETE said 204. */
  status: 'ready' | 'deleted';
}

export interface LedgerSession {
  id: string;
  owner: number;
  closed: boolean;
  files: LedgerFile[];
}

export interface OwnerUsage {
  token: string;
  /** UTC day → files and bytes declared (201) that day. */
  days: Map<string, { files: number; bytes: number }>;
}

export interface Counts {
  sessions: number;
  pairings: number;
  approvals: number;
  singleUploads: number;
  multipartUploads: number;
  downloads: number;
  deletes: number;
  closes: number;
}

export class Ledger {
  readonly sessions = new Map<string, LedgerSession>();
  readonly owners: OwnerUsage[] = [];
  /** Downloads whose bytes were not the uploaded ones, and other integrity failures. */
  readonly integrityFailures: string[] = [];
  /** Steps that failed for another reason than an unexpected answer (timeouts, bugs). */
  readonly stepFailures: string[] = [];
  readonly counts: Counts = {
    sessions: 0,
    pairings: 0,
    approvals: 0,
    singleUploads: 0,
    multipartUploads: 0,
    downloads: 0,
    deletes: 0,
    closes: 0,
  };

  declared(owner: number, size: number, at = new Date()): void {
    const usage = this.owners[owner];
    if (usage === undefined) throw new Error(`no owner ${String(owner)}`);
    const day = at.toISOString().slice(0, 10);
    const today = usage.days.get(day) ?? { files: 0, bytes: 0 };
    today.files++;
    today.bytes += size;
    usage.days.set(day, today);
  }

  files(filter: (file: LedgerFile, session: LedgerSession) => boolean): LedgerFile[] {
    const out: LedgerFile[] = [];
    for (const session of this.sessions.values()) {
      for (const file of session.files) if (filter(file, session)) out.push(file);
    }
    return out;
  }
}
