import type { TokenSource } from '../api/client';
import type { DeviceToken } from '../api/types';

// sessionStorage, not localStorage: the device token is a bearer credential for one session,
// so it lives as long as this tab (it survives a reload, so the view and an unfinished upload
// come back) and is gone when the tab closes. localStorage would keep it on a shared phone or
// computer after the tab is closed, and hand it to every other tab of this origin.
const KEY = 'sharexpress.device.v1';

/** Joined: the token and the session it is for. */
export interface ActiveDevice {
  kind: 'active';
  sessionId: string;
  accessToken: string;
  /** When the token expires (the session's expiry when it was issued). */
  expiresAt: string;
  /** The name the owner sees for this device (from the claim; kept across renewals). */
  deviceName?: string;
}

/** Waiting for the owner's approval (RFC 8628 polling), so a reload keeps waiting. */
export interface PendingDevice {
  kind: 'pending';
  pollSecret: string;
  /** Seconds between polls. */
  interval: number;
  /** Polling ends then. */
  expiresAt: string;
  deviceName: string;
}

export type DeviceState = ActiveDevice | PendingDevice;

function isState(value: unknown): value is DeviceState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (v.kind === 'active') {
    return (
      typeof v.sessionId === 'string' &&
      typeof v.accessToken === 'string' &&
      typeof v.expiresAt === 'string'
    );
  }
  return v.kind === 'pending' && typeof v.pollSecret === 'string' && typeof v.interval === 'number';
}

/** The device's state in this tab: kept in memory, mirrored to sessionStorage when it may. */
export class DeviceStore implements TokenSource {
  private state: DeviceState | null = null;

  constructor() {
    try {
      const raw = sessionStorage.getItem(KEY);
      const parsed: unknown = raw === null ? null : JSON.parse(raw);
      this.state = isState(parsed) ? parsed : null;
    } catch {
      this.state = null; // unreadable or refused: start over
    }
  }

  current(): DeviceState | null {
    return this.state;
  }

  token(): string | null {
    return this.state?.kind === 'active' ? this.state.accessToken : null;
  }

  set(state: DeviceState): void {
    this.state = state;
    try {
      sessionStorage.setItem(KEY, JSON.stringify(state));
    } catch {
      // Storage refused (private mode, quota): this page still works until it is reloaded.
    }
  }

  /** A fresh token (claim, approved poll, POST /v1/devices/token) for the session. */
  setToken(sessionId: string, token: DeviceToken, deviceName?: string): ActiveDevice {
    const previous = this.state?.kind === 'active' ? this.state.deviceName : undefined;
    const name = deviceName ?? previous;
    const active: ActiveDevice = {
      kind: 'active',
      sessionId,
      accessToken: token.accessToken,
      expiresAt: token.expiresAt,
      ...(name === undefined ? {} : { deviceName: name }),
    };
    this.set(active);
    return active;
  }

  forget(): void {
    this.state = null;
    try {
      sessionStorage.removeItem(KEY);
    } catch {
      // nothing stored
    }
  }
}
