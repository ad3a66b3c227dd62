import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toProblem, type DevicePrincipal, type Principal } from '@app/common';
import type { AppConfig } from '@app/config';
import type {
  FileDownloadsRepository,
  FileRecord,
  SessionFilesRepository,
  SessionRecord,
} from '@app/database';
import { StorageUnavailableError, type Presigner } from '@app/storage';
import type { DeviceAccessService } from '../device-access/index.js';
import { DownloadGrantService } from './download-grant.service.js';
import type { DownloadsService } from './downloads.service.js';
import type { DownloadResponse } from './dto/download.response.js';
import type { FileMetrics } from './file-metrics.js';

const FILE_ID = 'Qm8vT3xK1pR6wZ9cL2nB4A';
const SESSION_ID = 'mZ3q8V0xT2kR9bYcLw4n1A';
const device: DevicePrincipal = {
  kind: 'device',
  deviceId: 'd-1',
  sessionId: SESSION_ID,
  permissions: ['download'],
};
const owner = { kind: 'user', userId: 'owner-1' } as Principal;
const file = {
  id: FILE_ID,
  sessionId: SESSION_ID,
  status: 'ready',
  storageKey: `sessions/${SESSION_ID}/files/${FILE_ID}`,
  name: 'notes.txt',
  contentType: 'text/plain',
  downloads: 0,
  maxDownloads: 3,
} as FileRecord;
const liveSession = {
  id: SESSION_ID,
  status: 'active',
  expiresAt: new Date(Date.now() + 3_600_000),
} as SessionRecord;
const signed = {
  method: 'GET',
  url: 'https://storage.example/x',
  headers: {},
  expiresAt: new Date(Date.now() + 60_000),
};
const CHECKED: DownloadResponse = { url: 'checked', expiresAt: '', remainingDownloads: 0 };

interface Options {
  presign?: Presigner['presignGet'];
  session?: SessionRecord;
  /** What the conditional increment finds: the file's count before it, or null (refused). */
  countBefore?: number | null;
}

/** The service over fakes: the stored count, the events recorded, who answered. */
function service(options: Options = {}) {
  const stored = { downloads: options.countBefore === undefined ? 0 : options.countBefore };
  const events: string[] = [];
  const answeredBy: string[] = [];
  const counter = {
    take: () => {
      if (stored.downloads === null) return Promise.resolve(null);
      stored.downloads += 1;
      return Promise.resolve({ ...file, downloads: stored.downloads });
    },
    giveBack: () => {
      if (stored.downloads !== null && stored.downloads >= 1) stored.downloads -= 1;
      return Promise.resolve();
    },
  } as unknown as FileDownloadsRepository;
  const sessionFiles = {
    commitEvent: (_id: string, _at: Date, event: { type: string }) => {
      events.push(event.type);
      return Promise.resolve();
    },
  } as unknown as SessionFilesRepository;
  const devices = {
    sessionOf: () => options.session ?? liveSession,
  } as unknown as DeviceAccessService;
  const checked = {
    grant: () => {
      answeredBy.push('checked');
      return Promise.resolve(CHECKED);
    },
  } as unknown as DownloadsService;
  const metrics = { downloadGranted: () => undefined } as unknown as FileMetrics;
  const config = { files: { downloadUrlTtlSeconds: 60 } } as AppConfig;
  const presigner = { presignGet: options.presign ?? (() => signed) } as Presigner;
  const grants = new DownloadGrantService(
    config,
    presigner,
    counter,
    sessionFiles,
    devices,
    checked,
    metrics,
  );
  return { stored, events, answeredBy, grants };
}

describe('DownloadGrantService.grant', () => {
  it("counts a device's download in one write and hands out the signed URL", async () => {
    const { stored, events, answeredBy, grants } = service();
    const granted = await grants.grant(device, FILE_ID);
    assert.deepEqual(granted, {
      url: signed.url,
      expiresAt: signed.expiresAt.toISOString(),
      remainingDownloads: 2,
    });
    assert.equal(stored.downloads, 1);
    assert.deepEqual(events, ['file.downloaded']);
    assert.deepEqual(answeredBy, []);
  });

  it('gives the download back when the URL cannot be signed (storage credentials down: 503)', async () => {
    const { stored, events, grants } = service({
      presign: () => {
        throw new StorageUnavailableError('no storage credentials', 5);
      },
    });
    const failure = await grants.grant(device, FILE_ID).then(
      () => assert.fail('granted'),
      (err: unknown) => err,
    );
    assert.equal(toProblem(failure).status, 503);
    assert.equal(stored.downloads, 0, 'none of the downloads used up');
    assert.deepEqual(events, []);
  });

  it('leaves a refusal to the checked grant, which says why', async () => {
    const { events, answeredBy, grants } = service({ countBefore: null });
    assert.equal(await grants.grant(device, FILE_ID), CHECKED);
    assert.deepEqual(answeredBy, ['checked']);
    assert.deepEqual(events, []);
  });

  it('counts nothing itself on a session past its expiry, nor for a malformed id, nor for the owner', async () => {
    const expired: SessionRecord = { ...liveSession, expiresAt: new Date(Date.now() - 1000) };
    const cases: [Principal, string, Options][] = [
      [device, FILE_ID, { session: expired }],
      [device, 'not an id', {}],
      [owner, FILE_ID, {}],
    ];
    for (const [principal, fileId, options] of cases) {
      const { stored, answeredBy, grants } = service(options);
      assert.equal(await grants.grant(principal, fileId), CHECKED);
      assert.deepEqual(answeredBy, ['checked']);
      assert.equal(stored.downloads, 0);
    }
  });
});
