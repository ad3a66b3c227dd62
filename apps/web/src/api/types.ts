// The API's JSON shapes as the browser sees them (mirrors apps/api/src/modules/*/dto/*.response.ts).
// Dates are ISO 8601 strings; sizes are bytes.

export type Permission = 'upload' | 'download' | 'delete';
export type SessionStatus = 'active' | 'closed' | 'expired';
export type DeviceStatus = 'pending' | 'active' | 'rejected' | 'revoked';
export type FileStatus = 'pending' | 'verifying' | 'ready' | 'rejected' | 'deleted';

export interface SessionLimits {
  maxDevices: number;
  maxFiles: number;
  maxTotalBytes: number;
  maxFileBytes: number;
  maxDownloadsPerFile: number;
}

export interface SessionStats {
  files: number;
  bytes: number;
  devices: number;
}

export interface Session {
  id: string;
  name: string;
  status: SessionStatus;
  createdAt: string;
  expiresAt: string;
  guestPermissions: Permission[];
  requireApproval: boolean;
  limits: SessionLimits;
  stats: SessionStats;
}

export interface Device {
  id: string;
  name: string;
  status: DeviceStatus;
  createdAt: string;
  lastSeenAt: string | null;
  userAgent: string | null;
}

export interface FileItem {
  id: string;
  sessionId: string;
  name: string;
  size: number;
  contentType: string;
  /** Declared SHA-256, lower-case hex. */
  sha256: string;
  status: FileStatus;
  /** Download URLs granted so far. */
  downloads: number;
  maxDownloads: number;
  createdAt: string;
  readyAt: string | null;
  expiresAt: string;
}

/** 201 of POST /v1/sessions/:id/pairings: what the QR code and the typed code carry. */
export interface Pairing {
  id: string;
  /** "BCDF-GHJK"; typed case-insensitively, dash optional. */
  code: string;
  /** PUBLIC_URL/pair#<secret>. */
  pairingUrl: string;
  expiresAt: string;
}

export type EventValue = string | number | boolean | null;

/** One item of GET /v1/sessions/:id/activity, and the data of one SSE frame. */
export interface ActivityEvent {
  /** Per-session sequence number: 1, 2, 3 … with no gaps. */
  seq: number;
  /** session.created, device.claimed, file.ready, … */
  type: string;
  at: string;
  data: Record<string, EventValue>;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface UploadSingle {
  mode: 'single';
  method: 'PUT';
  url: string;
  /** Send exactly these: the signature binds them. */
  headers: Record<string, string>;
  expiresAt: string;
}

export interface UploadMultipart {
  mode: 'multipart';
  /** Bytes of every part but the last. */
  partSize: number;
  partCount: number;
  expiresAt: string;
}

export type Upload = UploadSingle | UploadMultipart;

/** 201 of POST /v1/sessions/:id/files. */
export interface DeclareResponse {
  file: FileItem;
  upload: Upload;
}

export interface PartUrl {
  partNumber: number;
  url: string;
  headers: Record<string, string>;
  expiresAt: string;
}

export interface StoredPart {
  partNumber: number;
  size: number;
  etag: string;
}

/** 201 of POST /v1/files/:id/downloads. */
export interface DownloadGrant {
  url: string;
  expiresAt: string;
  /** Downloads left after this one. */
  remainingDownloads: number;
}

export interface User {
  id: string;
  email: string;
  displayName: string | null;
  createdAt: string;
}

/** 200 of POST /v1/auth/login and /v1/auth/refresh. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
}

/** The token part of an active claim, of an approved poll and of POST /v1/devices/token. */
export interface DeviceToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresAt: string;
}

/** 201 of POST /v1/pairings/claim, and 200 of an approved POST /v1/pairings/poll. */
export interface ActiveClaim extends DeviceToken {
  status: 'active';
  device: Device;
  session: Session;
}

/** 202 of a claim on a session that requires approval: poll until the owner decides. */
export interface PendingClaim {
  status: 'pending';
  device: Device;
  pollSecret: string;
  /** Seconds between polls. */
  interval: number;
  expiresAt: string;
}

export type Claim = ActiveClaim | PendingClaim;

export interface FieldError {
  field: string;
  message: string;
}

/** RFC 9457 problem details, as every API error carries them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  errors?: FieldError[];
  errorsOmitted?: number;
  /** Pairing polls: seconds to wait. */
  interval?: number;
}

export type { Api, TokenSource } from './client';
export { ApiError } from './client';
