import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseLifecycle, sweepLifecycle } from './lifecycle.js';
import { Store } from './store.js';

const DAY = 24 * 60 * 60 * 1000;
const CONFIG = `<LifecycleConfiguration>
  <Rule><ID>tmp</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>
  <Rule><ID>uploads</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>
  <Rule><ID>off</ID><Filter><Prefix>keep/</Prefix></Filter><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule>
  <Rule><ID>tagged</ID><Filter><Tag><Key>a</Key><Value>b</Value></Tag></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>
</LifecycleConfiguration>`;

describe('lifecycle', () => {
  it('parses enabled rules only, with their filters and actions', () => {
    const rules = parseLifecycle(CONFIG);
    assert.equal(rules.length, 3);
    assert.deepEqual([rules[0].prefix, rules[0].expireAfterDays], ['tmp/', 1]);
    assert.equal(rules[1].abortUploadsAfterDays, 2);
    assert.equal(rules[2].matchesNothing, true);
  });

  it('expires matching objects and aborts stale uploads, leaving the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 's3-lifecycle-'));
    try {
      const store = await Store.open(dir);
      await store.createBucket('bucket-a');
      await store.updateBucket('bucket-a', { lifecycle: CONFIG });
      const put = async (key: string): Promise<void> => {
        const tmp = store.tempFile();
        await writeFile(tmp, 'x');
        await store.commitObject('bucket-a', tmp, {
          key,
          size: 1,
          etag: '"e"',
          lastModified: Date.now(),
          contentType: 'text/plain',
          headers: {},
          metadata: {},
        });
      };
      await put('tmp/old');
      await put('keep/old');
      await store.createUpload('bucket-a', {
        uploadId: 'u1',
        key: 'big',
        initiated: Date.now(),
        contentType: 'x',
        headers: {},
        metadata: {},
      });
      await sweepLifecycle(store, Date.now() + DAY / 2);
      assert.deepEqual([...store.sortedKeys('bucket-a')], ['keep/old', 'tmp/old']);
      await sweepLifecycle(store, Date.now() + DAY + 1000);
      assert.deepEqual([...store.sortedKeys('bucket-a')], ['keep/old']);
      assert.equal(store.uploads('bucket-a').length, 1);
      await sweepLifecycle(store, Date.now() + 2 * DAY + 1000);
      assert.equal(store.uploads('bucket-a').length, 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
