// The session's current pairing: created, shown (QR as the server draws it for a terminal, the
// typed code and the URL), and replaced by a new one when it expires or is claimed.
import type { Client } from '../core/client.ts';
import type { Output } from '../core/output.ts';
import { isTransient } from '../upload/transient.ts';

export interface Pairing {
  id: string;
  code: string;
  pairingUrl: string;
  expiresAt: string;
}

/** The longest a pairing may live (docs/api.md): fewer renewals, fewer QR codes printed. */
const PAIRING_TTL_SECONDS = 600;
const RETRY_MS = 5000;

export class Pairings {
  private readonly client: Client;
  private readonly out: Output;
  private readonly sessionId: string;
  private readonly onError: (error: unknown) => void;
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  current: Pairing | null = null;

  constructor(client: Client, out: Output, sessionId: string, onError: (error: unknown) => void) {
    this.client = client;
    this.out = out;
    this.sessionId = sessionId;
    this.onError = onError;
  }

  /** A new pairing, shown; `why` says what happened to the last one. Concurrent calls merge. */
  renew(why?: string): Promise<void> {
    if (this.busy !== null) {
      this.again = true;
      return this.busy;
    }
    this.busy = this.create(why)
      .catch((error: unknown) => {
        if (this.stopped) return;
        if (!isTransient(error)) {
          this.onError(error);
          return;
        }
        // The server or the network hiccuped: the live events go on, a pairing comes later.
        this.out.info(
          `Could not make a new pairing (${(error as Error).message}); trying again in 5 s.`,
        );
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.renew(why), RETRY_MS);
      })
      .finally(() => {
        this.busy = null;
        if (this.again && !this.stopped) {
          this.again = false;
          void this.renew(why);
        }
      });
    return this.busy;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async create(why?: string): Promise<void> {
    clearTimeout(this.timer);
    const base = `/v1/sessions/${this.sessionId}/pairings`;
    const pairing = await this.client.request<Pairing>('POST', base, {
      ttlSeconds: PAIRING_TTL_SECONDS,
    });
    if (this.stopped) return;
    this.current = pairing;
    if (this.out.json) {
      this.out.event({ event: 'pairing', ...pick(pairing) });
    } else {
      const qr = await this.client.request<string>('GET', `${base}/${pairing.id}/qr?format=txt`);
      if (this.stopped) return;
      if (why !== undefined) this.out.info(why);
      this.out.result(
        `${String(qr).replace(/\n+$/, '')}\nCode: ${pairing.code}\n${pairing.pairingUrl}`,
      );
      this.out.info(
        `Scan the QR code or open the URL on the other device, or type the code with \`sharexpress receive\` (valid until ${time(pairing.expiresAt)}).`,
      );
    }
    const wait = Math.max(1000, Date.parse(pairing.expiresAt) - Date.now());
    this.timer = setTimeout(
      () => void this.renew('The pairing code expired: here is a new one.'),
      wait,
    );
    this.timer.unref();
  }
}

function pick(p: Pairing): Pairing {
  return { id: p.id, code: p.code, pairingUrl: p.pairingUrl, expiresAt: p.expiresAt };
}

export function time(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}
