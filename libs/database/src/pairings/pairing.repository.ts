export interface PairingPoll {
  /** The pending device may poll until then (RFC 8628 `expires_in`). */
  expiresAt: Date;
  intervalSeconds: number;
  lastPolledAt: Date | null;
  /** Set once a token was handed out through the poll; the poll secret is spent. */
  completedAt: Date | null;
}

export interface PairingRecord {
  id: string;
  sessionId: string;
  ownerId: string;
  /**
   * SHA-256 (hex) of the pairing secret. Not a secret (the secret has 256 bits), but internal:
   * it lets the QR route check that the secret it re-derives is still this pairing's (a key
   * rotation changes the derivation). Never part of a response.
   */
  secretHash: string;
  createdAt: Date;
  expiresAt: Date;
  claimedAt: Date | null;
  deviceId: string | null;
  /** Present when the claim left the device pending (approval required). */
  poll: PairingPoll | null;
  /**
   * Random, not secret by itself: the server derives the pairing secret as
   * HMAC-SHA-256(server key, id + nonce), so the QR route can re-render it while only the
   * secret's hash is stored. Stored and returned as given to `create` (plain string).
   */
  nonce?: string;
}

export interface NewPairing {
  id: string;
  sessionId: string;
  ownerId: string;
  /** SHA-256 (hex) of the ≥128-bit secret; unique. */
  secretHash: string;
  /** HMAC-SHA-256 (hex) of the normalized code under a server key; unique among stored pairings. */
  codeHash: string;
  /** See PairingRecord.nonce: kept as is and returned by every read. */
  nonce?: string;
  createdAt: Date;
  expiresAt: Date;
}

export type PairingLookup = { secretHash: string } | { codeHash: string };

export interface ClaimGrant {
  deviceId: string;
  now: Date;
  /** For a claim that leaves the device pending: the poll secret's hash and pacing. */
  poll: { secretHash: string; expiresAt: Date; intervalSeconds: number } | null;
}

export type PollResult =
  | { kind: 'unknown' }
  | { kind: 'slow_down'; intervalSeconds: number; pairing: PairingRecord }
  | { kind: 'ok'; pairing: PairingRecord };

/** Pairings (collection `pairings`): single use, only hashes stored, purged by a TTL index. */
export abstract class PairingRepository {
  /** Inserts a pairing; a code hash already taken throws AppError CONFLICT (retry with a new code). */
  abstract create(pairing: NewPairing): Promise<PairingRecord>;

  /** The pairing if it belongs to that owner's session; null otherwise. */
  abstract findOwned(ownerId: string, sessionId: string, id: string): Promise<PairingRecord | null>;

  /** Removes a pairing (one whose creation was undone); no-op when unknown. */
  abstract delete(id: string): Promise<void>;

  /** Any pairing by id (e.g. a device's `pairingId`); null when unknown or purged. */
  abstract findById(id: string): Promise<PairingRecord | null>;

  /**
   * Claims, in one conditional update, the pairing with that secret or code hash that is
   * unclaimed and not past `expiresAt` at `grant.now`. At most one caller ever wins. Null when
   * there is no such pairing (unknown, spent or expired).
   */
  abstract claim(lookup: PairingLookup, grant: ClaimGrant): Promise<PairingRecord | null>;

  /** Undoes the claim made for `deviceId` (its device could not be added to the session). */
  abstract release(id: string, deviceId: string): Promise<void>;

  /**
   * Brings the poll of the claim made for `deviceId` forward to `notAfter` if it would end later
   * (a pending device never waits past its session's expiry). No-op otherwise.
   */
  abstract capPoll(id: string, deviceId: string, notAfter: Date): Promise<void>;

  /**
   * RFC 8628 pacing for the live poll with that secret hash (`poll.expiresAt > now`, not
   * completed): if the previous poll was less than `intervalSeconds` ago, the interval grows by
   * `slowDownStepSeconds` → slow_down; otherwise → ok. Both set `lastPolledAt` to `now`.
   * Unknown, expired or completed → unknown.
   */
  abstract poll(
    pollSecretHash: string,
    now: Date,
    slowDownStepSeconds: number,
  ): Promise<PollResult>;

  /** Marks the poll completed (a token was issued); false if it already was. */
  abstract completePoll(id: string, now: Date): Promise<boolean>;
}
