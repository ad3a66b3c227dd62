import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, isPublicId, newPublicId, type UserPrincipal } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { PairingRepository, SessionRepository, type NewPairing } from '@app/database';
import { PairingSecrets } from '../auth/index.js';
import { SessionAccessService } from '../sessions/index.js';
import type { PairingResponse } from './dto/pairing.response.js';
import { madeWithEarlierKey, pairingNotFound, sessionInactive } from './pairing.errors.js';
import { PairingMetrics } from './pairing-metrics.js';
import {
  deriveSecret,
  hashCode,
  hashSecret,
  newCode,
  newNonce,
  normalizeCode,
} from './pairing-codes.js';
import { renderQr, type QrFormat, type RenderedQr } from './qr-renderer.js';

// A code collides with a live one about once in 2.6·10^10 / (live pairings) tries: a handful
// of attempts is plenty.
const CODE_ATTEMPTS = 5;

/** Creating pairings and rendering their QR codes (owner only). */
@Injectable()
export class PairingService {
  private readonly logger = new Logger(PairingService.name);

  constructor(
    private readonly access: SessionAccessService,
    private readonly sessions: SessionRepository,
    private readonly pairings: PairingRepository,
    private readonly secrets: PairingSecrets,
    private readonly metrics: PairingMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(
    user: UserPrincipal,
    sessionId: string,
    ttlSeconds?: number,
  ): Promise<PairingResponse> {
    const now = new Date();
    const session = await this.access.owned(user, sessionId);
    this.access.assertLive(session, now);
    const id = newPublicId();
    const nonce = newNonce();
    const ttlMs = (ttlSeconds ?? this.config.pairing.defaultTtlSeconds) * 1000;
    // A pairing never outlives its session.
    const expiresAt = new Date(Math.min(now.getTime() + ttlMs, session.expiresAt.getTime()));
    const secret = deriveSecret(this.secrets.secretKey(), id, nonce);
    // The pairing first, then its event: an insert that fails leaves no event behind.
    const code = await this.insert((codeHash) => ({
      id,
      sessionId: session.id,
      ownerId: user.userId,
      secretHash: hashSecret(secret),
      codeHash,
      nonce,
      createdAt: now,
      expiresAt,
    }));
    // The event is the atomic liveness check: a session that closed or expired since the read
    // gets a 410, and the pairing goes again, so nothing stored changed. (Should the event's
    // write fail outright, the pairing stays: nobody ever saw its secret or code, and it expires.)
    const recorded = await this.sessions.recordEvent(user.userId, session.id, now, {
      type: 'pairing.created',
      data: { pairingId: id, expiresAt: expiresAt.toISOString() },
    });
    if (recorded === null) {
      await this.discard(id);
      throw sessionInactive();
    }
    this.metrics.pairingCreated();
    return { id, code, pairingUrl: this.pairingUrl(secret), expiresAt: expiresAt.toISOString() };
  }

  /** The QR code of a pairing that can still be claimed, re-derived from its nonce. */
  async qr(
    user: UserPrincipal,
    sessionId: string,
    pairingId: string,
    format: QrFormat = 'svg',
  ): Promise<RenderedQr> {
    const now = new Date();
    const session = await this.access.owned(user, sessionId);
    if (!isPublicId(pairingId)) throw pairingNotFound();
    const pairing = await this.pairings.findOwned(user.userId, session.id, pairingId);
    if (pairing === null || pairing.nonce === undefined) throw pairingNotFound();
    this.access.assertLive(session, now);
    if (pairing.claimedAt !== null || pairing.expiresAt.getTime() <= now.getTime()) {
      throw new AppError('GONE', 'The pairing was already claimed or has expired');
    }
    const secret = deriveSecret(this.secrets.secretKey(), pairing.id, pairing.nonce);
    // Since a signing-key rotation the derivation yields another secret: a QR code of it could
    // never be claimed.
    if (hashSecret(secret) !== pairing.secretHash) throw madeWithEarlierKey();
    return renderQr(this.pairingUrl(secret), format);
  }

  /** Undoes an insert; a failure only leaves an unusable pairing until its TTL purges it. */
  private async discard(id: string): Promise<void> {
    try {
      await this.pairings.delete(id);
    } catch (err) {
      this.logger.warn(`could not delete pairing ${id}: ${String(err)}`);
    }
  }

  private pairingUrl(secret: string): string {
    return `${this.config.publicUrl}/pair#${secret}`;
  }

  /** Inserts the pairing with a fresh code, retrying on a code collision; returns the code. */
  private async insert(pairing: (codeHash: string) => NewPairing): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const code = newCode();
      const normalized = normalizeCode(code);
      if (normalized === null) throw new Error(`generated an invalid code: ${code}`);
      try {
        await this.pairings.create(pairing(hashCode(this.secrets.codeKey(), normalized)));
        return code;
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'CONFLICT') || attempt >= CODE_ATTEMPTS) {
          throw err;
        }
      }
    }
  }
}
