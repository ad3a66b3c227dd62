// The API's answers that receive reads (docs/api.md "Pairing and devices", "Files"); a response
// may carry more fields than these.

export interface Device {
  readonly id: string;
  readonly name: string;
  readonly status: 'pending' | 'active' | 'rejected' | 'revoked';
}

export interface SessionInfo {
  readonly id: string;
  readonly name: string;
  readonly status: 'active' | 'closed' | 'expired';
  readonly expiresAt: string;
}

export interface DeviceToken {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresAt: string;
}

export interface ActiveClaim extends DeviceToken {
  readonly status: 'active';
  readonly device: Device;
  readonly session: SessionInfo;
}

export interface PendingClaim {
  readonly status: 'pending';
  readonly device: Device;
  readonly pollSecret: string;
  readonly interval: number;
  readonly expiresAt: string;
}

export interface RemoteFile {
  readonly id: string;
  readonly sessionId: string;
  readonly name: string;
  readonly size: number;
  readonly contentType: string;
  readonly sha256: string;
  readonly status: string;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export interface DownloadGrant {
  readonly url: string;
  readonly expiresAt: string;
  readonly remainingDownloads: number;
}

export interface SessionEvent {
  readonly seq: number;
  readonly type: string;
  readonly at: string;
  readonly data: Record<string, unknown>;
}
