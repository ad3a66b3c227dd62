// One owner's life in the soak, repeated until the deadline: a session on one replica, a device
// paired across replicas (sometimes with approval), uploads by the owner and the device (single,
// and now and then multipart, begun on one replica and finished on the other), reads, downloads
// checked byte for byte, a file deleted now and then, and mostly the session closed at the end.
// Every request goes to a replica picked at random.
import { randomBytes } from 'node:crypto';
import { PASSWORD } from '../e2e/auth/auth-client.js';
import { storageKey } from '../e2e/files/files-fixtures.js';
import type { Prng } from '../e2e/fuzz/prng.js';
import { secretOf, type Pairing } from '../e2e/pairing/pairing-client.js';
import {
  declareBody,
  partBytes,
  sha256Hex,
  type FileBody,
  type PartUrl,
  type StoredPart,
} from '../support/upload-client.js';
import type { Ledger, LedgerFile, LedgerSession } from './ledger.js';
import type { SoakClient } from './soak-client.js';

const MIB = 1024 * 1024;
// A fixed text start: random bytes could look like a type the content policy refuses.
const PREFIX = Buffer.from('sharexpress soak file\n');

export interface SoakContext {
  apis: string[];
  client: SoakClient;
  ledger: Ledger;
  rng: Prng;
  /** Multipart uploads in flight across all owners (each costs 8+ MiB of hashing and copying). */
  multipart: { inFlight: number; max: number };
  /** Share of uploads that are multipart when a slot is free. */
  multipartShare: number;
}

interface Upload {
  mode: 'single' | 'multipart';
  method?: 'PUT';
  url?: string;
  headers?: Record<string, string>;
  partSize?: number;
  partCount?: number;
}
interface Claim {
  status: 'active' | 'pending';
  accessToken?: string;
  pollSecret?: string;
  interval?: number;
  device: { id: string };
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function fileBytes(size: number): Buffer {
  const bytes = randomBytes(size);
  PREFIX.copy(bytes, 0, 0, Math.min(PREFIX.length, size));
  return bytes;
}

export class OwnerScenario {
  private token = '';
  private refreshToken = '';

  constructor(
    private readonly ctx: SoakContext,
    private readonly owner: number,
  ) {}

  private get api(): string {
    return this.ctx.rng.pick(this.ctx.apis);
  }

  async signUp(): Promise<void> {
    const { client } = this.ctx;
    const email = `soak-${String(this.owner)}-${randomBytes(4).toString('hex')}@example.com`;
    const body = { email, password: PASSWORD };
    await client.api('/v1/auth/register', this.api, 'POST', '/v1/auth/register', {
      body,
      expect: [201],
    });
    await this.login(body);
    this.ctx.ledger.owners[this.owner] = { token: this.token, days: new Map() };
  }

  private async login(body: { email: string; password: string }): Promise<void> {
    const { body: pair } = await this.ctx.client.api<{ accessToken: string; refreshToken: string }>(
      '/v1/auth/login',
      this.api,
      'POST',
      '/v1/auth/login',
      { body },
    );
    this.token = pair.accessToken;
    this.refreshToken = pair.refreshToken;
  }

  /** The owner's token, renewed now and then on a replica picked at random. */
  private async maybeRefresh(): Promise<void> {
    if (!this.ctx.rng.chance(0.2)) return;
    const { body } = await this.ctx.client.api<{ accessToken: string; refreshToken: string }>(
      '/v1/auth/refresh',
      this.api,
      'POST',
      '/v1/auth/refresh',
      { body: { refreshToken: this.refreshToken } },
    );
    this.token = body.accessToken;
    this.refreshToken = body.refreshToken;
    const usage = this.ctx.ledger.owners[this.owner];
    if (usage !== undefined) usage.token = this.token;
  }

  /** One session from creation to (mostly) its close. */
  async lifecycle(): Promise<void> {
    const { client, ledger, rng } = this.ctx;
    await this.maybeRefresh();
    const approval = rng.chance(0.25);
    const { body: created } = await client.api<{ id: string }>(
      '/v1/sessions',
      this.api,
      'POST',
      '/v1/sessions',
      { token: this.token, body: { name: 'soak', requireApproval: approval }, expect: [201] },
    );
    const session: LedgerSession = { id: created.id, owner: this.owner, closed: false, files: [] };
    ledger.sessions.set(session.id, session);
    ledger.counts.sessions++;

    const device = await this.pair(session.id, approval);
    const uploads = rng.int(2, 5);
    for (let i = 0; i < uploads; i++) {
      const token = rng.chance(0.5) ? this.token : device;
      const file = await this.upload(session, token);
      session.files.push(file);
    }
    await this.reads(session.id, device);
    for (const file of session.files) {
      for (let n = rng.int(1, 2); n > 0; n--) {
        await this.download(file, rng.chance(0.5) ? this.token : device);
      }
    }
    const victim = session.files.find((f) => f.status === 'ready');
    if (victim !== undefined && rng.chance(0.3)) {
      await client.api('/v1/files/:id', this.api, 'DELETE', `/v1/files/${victim.id}`, {
        token: this.token,
        expect: [204],
      });
      victim.status = 'deleted';
      ledger.counts.deletes++;
    }
    if (rng.chance(0.8)) {
      await client.api('/v1/sessions/:id', this.api, 'DELETE', `/v1/sessions/${session.id}`, {
        token: this.token,
        expect: [204],
      });
      session.closed = true;
      ledger.counts.closes++;
    }
  }

  /** Pairs a device: created on one replica, claimed (and approved, polled) on others. */
  private async pair(sessionId: string, approval: boolean): Promise<string> {
    const { client, ledger, rng } = this.ctx;
    const { body: pairing } = await client.api<Pairing>(
      '/v1/sessions/:id/pairings',
      this.api,
      'POST',
      `/v1/sessions/${sessionId}/pairings`,
      { token: this.token, body: {}, expect: [201] },
    );
    ledger.counts.pairings++;
    const proof = rng.chance(0.5) ? { code: pairing.code } : { secret: secretOf(pairing) };
    const { body: claim } = await client.api<Claim>(
      '/v1/pairings/claim',
      this.api,
      'POST',
      '/v1/pairings/claim',
      { body: { ...proof, deviceName: 'soak phone' }, expect: [approval ? 202 : 201] },
    );
    if (!approval) return claim.accessToken ?? '';
    await client.api(
      '/v1/sessions/:id/devices/:id/approve',
      this.api,
      'POST',
      `/v1/sessions/${sessionId}/devices/${claim.device.id}/approve`,
      { token: this.token },
    );
    ledger.counts.approvals++;
    await sleep((claim.interval ?? 1) * 1000 + 100);
    const { body: active } = await client.api<Claim>(
      '/v1/pairings/poll',
      this.api,
      'POST',
      '/v1/pairings/poll',
      { body: { pollSecret: claim.pollSecret } },
    );
    return active.accessToken ?? '';
  }

  private async upload(session: LedgerSession, token: string): Promise<LedgerFile> {
    const { multipart, rng } = this.ctx;
    if (multipart.inFlight < multipart.max && rng.chance(this.ctx.multipartShare)) {
      multipart.inFlight++;
      try {
        return await this.uploadMultipart(session, token);
      } finally {
        multipart.inFlight--;
      }
    }
    return this.uploadSingle(session, token);
  }

  private async declare(session: LedgerSession, token: string, bytes: Buffer) {
    const { body } = await this.ctx.client.api<{ file: FileBody; upload: Upload }>(
      '/v1/sessions/:id/files',
      this.api,
      'POST',
      `/v1/sessions/${session.id}/files`,
      {
        token,
        body: declareBody({ bytes, name: 'soak.bin', contentType: 'application/octet-stream' }),
        expect: [201],
      },
    );
    this.ctx.ledger.declared(this.owner, bytes.length);
    return body;
  }

  private async uploadSingle(session: LedgerSession, token: string): Promise<LedgerFile> {
    const { client, ledger, rng } = this.ctx;
    const bytes = fileBytes(rng.int(1, 256 * 1024));
    const { file, upload } = await this.declare(session, token, bytes);
    await client.put(
      'storage PUT (single)',
      { url: upload.url ?? '', headers: upload.headers ?? {} },
      bytes,
    );
    const { body: done } = await client.api<FileBody>(
      '/v1/files/:id/complete',
      this.api,
      'POST',
      `/v1/files/${file.id}/complete`,
      { token, body: {} },
    );
    if (done.status !== 'ready')
      ledger.integrityFailures.push(`${file.id}: complete said ${done.status}`);
    ledger.counts.singleUploads++;
    return this.entry(session, file.id, bytes, 'single');
  }

  /** Part 1 through one replica; the rest resumed through another from what storage lists. */
  private async uploadMultipart(session: LedgerSession, token: string): Promise<LedgerFile> {
    const { client, ledger, rng } = this.ctx;
    const bytes = fileBytes(8 * MIB + rng.int(1, MIB));
    const { file, upload } = await this.declare(session, token, bytes);
    const partSize = upload.partSize ?? 8 * MIB;
    const numbers = Array.from({ length: upload.partCount ?? 2 }, (_, i) => i + 1);
    const putParts = async (base: string, wanted: number[]) => {
      const { body } = await client.api<{ parts: PartUrl[] }>(
        '/v1/files/:id/parts',
        base,
        'POST',
        `/v1/files/${file.id}/parts`,
        {
          token,
          body: {
            parts: wanted.map((n) => ({
              partNumber: n,
              sha256: sha256Hex(partBytes(bytes, partSize, n)),
            })),
          },
        },
      );
      for (const p of body.parts)
        await client.put('storage PUT (part)', p, partBytes(bytes, partSize, p.partNumber));
    };
    const [first, second] = rng.chance(0.5) ? this.ctx.apis : [...this.ctx.apis].reverse();
    await putParts(first ?? '', [1]);
    const { body: held } = await client.api<{ parts: StoredPart[] }>(
      '/v1/files/:id/parts',
      second ?? '',
      'GET',
      `/v1/files/${file.id}/parts`,
      { token },
    );
    const missing = numbers.filter((n) => !held.parts.some((p) => p.partNumber === n));
    await putParts(second ?? '', missing);
    const { body: all } = await client.api<{ parts: StoredPart[] }>(
      '/v1/files/:id/parts',
      second ?? '',
      'GET',
      `/v1/files/${file.id}/parts`,
      { token },
    );
    const { body: done } = await client.api<FileBody>(
      '/v1/files/:id/complete',
      second ?? '',
      'POST',
      `/v1/files/${file.id}/complete`,
      {
        token,
        body: { parts: all.parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag })) },
      },
    );
    let status = done.status;
    const deadline = Date.now() + 60_000;
    while (status === 'verifying' && Date.now() < deadline) {
      await sleep(300);
      const { body } = await client.api<FileBody>(
        '/v1/files/:id',
        this.api,
        'GET',
        `/v1/files/${file.id}`,
        {
          token,
        },
      );
      status = body.status;
    }
    if (status !== 'ready') ledger.integrityFailures.push(`${file.id}: multipart ended ${status}`);
    ledger.counts.multipartUploads++;
    return this.entry(session, file.id, bytes, 'multipart');
  }

  private entry(
    session: LedgerSession,
    id: string,
    bytes: Buffer,
    mode: LedgerFile['mode'],
  ): LedgerFile {
    return {
      id,
      sessionId: session.id,
      key: storageKey(session.id, id),
      size: bytes.length,
      sha256: sha256Hex(bytes),
      mode,
      status: 'ready',
    };
  }

  private async reads(sessionId: string, device: string): Promise<void> {
    const { client, rng } = this.ctx;
    const token = rng.chance(0.5) ? this.token : device;
    await client.api('/v1/sessions/:id', this.api, 'GET', `/v1/sessions/${sessionId}`, { token });
    await client.api('/v1/sessions/:id/files', this.api, 'GET', `/v1/sessions/${sessionId}/files`, {
      token,
    });
    await client.api(
      '/v1/sessions/:id/activity',
      this.api,
      'GET',
      `/v1/sessions/${sessionId}/activity`,
      {
        token,
      },
    );
    if (rng.chance(0.3)) {
      await client.api('/v1/sessions', this.api, 'GET', '/v1/sessions', { token: this.token });
      await client.api('/v1/quota', this.api, 'GET', '/v1/quota', { token: this.token });
    }
  }

  /** A download grant on one replica, the bytes from storage, compared with what was sent. */
  async download(file: LedgerFile, token: string, base = this.api): Promise<void> {
    const { client, ledger } = this.ctx;
    const { body } = await client.api<{ url: string }>(
      '/v1/files/:id/downloads',
      base,
      'POST',
      `/v1/files/${file.id}/downloads`,
      { token, expect: [201] },
    );
    const got = await client.get('storage GET (download)', body.url);
    ledger.counts.downloads++;
    if (got.length !== file.size || sha256Hex(got) !== file.sha256) {
      ledger.integrityFailures.push(
        `${file.id}: downloaded ${String(got.length)} bytes, not the uploaded ${String(file.size)}`,
      );
    }
  }
}
