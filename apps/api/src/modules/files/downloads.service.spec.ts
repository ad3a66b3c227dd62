import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toProblem, type Principal } from '@app/common';
import type { AppConfig } from '@app/config';
import type { FileRecord, FileRepository, SessionFilesRepository } from '@app/database';
import { StorageUnavailableError, type Presigner } from '@app/storage';
import { DownloadsService } from './downloads.service.js';
import type { FileAccessService } from './file-access.service.js';
import type { FileMetrics } from './file-metrics.js';

const owner = { kind: 'user', userId: 'owner-1' } as Principal;
const file = {
  id: 'file-1',
  sessionId: 'session-1',
  status: 'ready',
  storageKey: 'sessions/session-1/files/file-1',
  name: 'notes.txt',
  contentType: 'text/plain',
  downloads: 0,
  maxDownloads: 3,
} as FileRecord;
const session = { id: 'session-1', expiresAt: new Date(Date.now() + 3_600_000) };

/** The service over fakes: `presign` is the presigner's answer; grants are counted. */
function service(presign: Presigner['presignGet']) {
  const grants: string[] = [];
  const files = {
    grantDownload: (id: string) => {
      grants.push(id);
      return Promise.resolve({ ok: true, file: { ...file, downloads: grants.length } });
    },
  } as unknown as FileRepository;
  const access = {
    readable: () => Promise.resolve({ file, session }),
    assertLive: () => undefined,
  } as unknown as FileAccessService;
  const sessionFiles = {
    commitEvent: () => Promise.resolve(),
  } as unknown as SessionFilesRepository;
  const metrics = { downloadGranted: () => undefined } as unknown as FileMetrics;
  const config = { files: { downloadUrlTtlSeconds: 60 } } as AppConfig;
  const presigner = { presignGet: presign } as Presigner;
  return {
    grants,
    downloads: new DownloadsService(config, presigner, files, sessionFiles, access, metrics),
  };
}

describe('DownloadsService.grant', () => {
  it('uses up none of the downloads when the URL cannot be signed (storage credentials down: 503)', async () => {
    const { grants, downloads } = service(() => {
      throw new StorageUnavailableError('no storage credentials', 5);
    });
    const failure = await downloads.grant(owner, file.id).then(
      () => assert.fail('granted'),
      (err: unknown) => err,
    );
    assert.equal(toProblem(failure).status, 503);
    assert.deepEqual(grants, []);
  });

  it('counts the download once and hands out the signed URL', async () => {
    const expiresAt = new Date(Date.now() + 60_000);
    const { grants, downloads } = service(() => ({
      method: 'GET',
      url: 'https://storage.example/x',
      headers: {},
      expiresAt,
    }));
    const granted = await downloads.grant(owner, file.id);
    assert.deepEqual(grants, [file.id]);
    assert.equal(granted.url, 'https://storage.example/x');
    assert.equal(granted.remainingDownloads, 2);
  });
});
