// The API's shapes the upload reads (docs/api.md, Files).
export type FileStatus = 'pending' | 'verifying' | 'ready' | 'rejected' | 'deleted';

export interface FileItem {
  id: string;
  sessionId: string;
  name: string;
  size: number;
  contentType: string;
  sha256: string;
  status: FileStatus;
  downloads: number;
  maxDownloads: number;
  createdAt: string;
  readyAt: string | null;
  expiresAt: string;
}

export interface SingleUpload {
  mode: 'single';
  method: 'PUT';
  url: string;
  headers: Record<string, string>;
  expiresAt: string;
}

export interface MultipartUpload {
  mode: 'multipart';
  partSize: number;
  partCount: number;
  expiresAt: string;
}

export interface DeclareResponse {
  file: FileItem;
  upload: SingleUpload | MultipartUpload;
}

export interface StoredPart {
  partNumber: number;
  size: number;
  etag: string;
}

/** What a send remembers of one file between runs (its part of the state file). */
export interface FileRecord {
  path: string;
  size: number;
  mtimeMs: number;
  sha256?: string;
  fileId?: string;
  /** 0 for a single PUT. */
  partSize?: number;
  partHashes?: string[];
  /** A single upload's signed PUT (signed once, at declare). */
  single?: { url: string; headers: Record<string, string>; expiresAt: string };
  /** ETag per part number storage is known to hold. */
  done?: Record<string, string>;
  /** Completed: ready, or verifying on the server. */
  completed?: boolean;
}
