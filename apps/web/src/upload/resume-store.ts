// Unfinished uploads in sessionStorage, so that a reload of the tab can resume them: the file is
// chosen again (a page cannot reopen a file by itself) and only the parts storage lacks are sent.
const KEY = 'sharexpress.uploads.v1';

export interface UploadRecord {
  sessionId: string;
  fileId: string;
  name: string;
  size: number;
  lastModified: number;
  type: string;
  sha256: string;
  /** 0 for a single upload. */
  partSize: number;
  /** SHA-256 of part n at index n - 1 (multipart only). */
  partHashes: string[];
  /** Part numbers storage confirmed, with their ETags. */
  done: Record<number, string>;
}

function readAll(): UploadRecord[] {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(KEY) ?? '[]');
    return Array.isArray(parsed) ? (parsed as UploadRecord[]) : [];
  } catch {
    return [];
  }
}

function writeAll(records: UploadRecord[]): void {
  try {
    if (records.length === 0) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, JSON.stringify(records));
  } catch {
    // Storage full or refused: the upload goes on, it just cannot resume after a reload.
  }
}

export const recordsOf = (sessionId: string): UploadRecord[] =>
  readAll().filter((r) => r.sessionId === sessionId);

export function saveRecord(record: UploadRecord): void {
  writeAll([...readAll().filter((r) => r.fileId !== record.fileId), record]);
}

export function dropRecord(fileId: string): void {
  writeAll(readAll().filter((r) => r.fileId !== fileId));
}

export const sameFile = (record: UploadRecord, file: File): boolean =>
  record.name === file.name &&
  record.size === file.size &&
  record.lastModified === file.lastModified;
