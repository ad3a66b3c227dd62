// A second, independent S3 client: the AWS CLI (Debian's awscli, or whichever `aws` is first on
// PATH; AWS_CLI=/path/to/aws picks another). It moves a 50 MB file up (multipart) and back down,
// reads a SHA-256 checksum back and deletes. Nothing is installed here: without `aws` the test
// is skipped with the command that installs it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, createReadStream } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { headStatus, openTarget, sha256Base64, type Target } from './support.js';

const run = promisify(execFile);
const SIZE = 50 * 1000 * 1000;

function findAws(): string | undefined {
  const explicit = process.env.AWS_CLI;
  if (explicit !== undefined && explicit !== '') return explicit;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, 'aws'), constants.X_OK);
      return join(dir, 'aws');
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Writes `size` random bytes to `path` in 1 MiB chunks and returns their SHA-256 (hex). */
async function writeRandomFile(path: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  try {
    for (let left = size; left > 0;) {
      const chunk = randomBytes(Math.min(left, 1024 * 1024));
      hash.update(chunk);
      await file.write(chunk);
      left -= chunk.byteLength;
    }
  } finally {
    await file.close();
  }
  return hash.digest('hex');
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const aws = findAws();

describe('aws CLI against the S3 server', { timeout: 300_000 }, () => {
  let target: Target;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    if (aws === undefined) return;
    target = await openTarget('awscli');
    dir = await mkdtemp(join(tmpdir(), 'sx-awscli-'));
    // Empty config files and a private HOME: the host's profiles cannot leak into the test.
    await writeFile(join(dir, 'config'), '');
    await writeFile(join(dir, 'credentials'), '');
    env = {
      PATH: process.env.PATH,
      HOME: dir,
      AWS_ACCESS_KEY_ID: target.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: target.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: target.region,
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
    };
  });
  after(async () => {
    if (aws === undefined) return;
    await target.close();
    await rm(dir, { recursive: true, force: true });
  });

  const cli = async (...args: string[]): Promise<string> => {
    try {
      const { stdout } = await run(aws ?? 'aws', ['--endpoint-url', target.endpoint, ...args], {
        env,
        timeout: 180_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      return stdout;
    } catch (err) {
      const e = err as { stderr?: string; code?: unknown; message: string };
      throw new Error(
        `aws ${args.join(' ')} failed (${String(e.code)}): ${e.stderr ?? e.message}`,
        {
          cause: err,
        },
      );
    }
  };

  it(
    'copies 50 MB up and back down byte for byte, reads checksums, removes',
    { timeout: 300_000 },
    async (t) => {
      if (aws === undefined) {
        t.skip('aws CLI not installed: apt-get install awscli');
        return;
      }
      t.diagnostic(`using ${aws}: ${(await run(aws, ['--version'], { env })).stdout.trim()}`);
      const up = join(dir, 'up.bin');
      const down = join(dir, 'down.bin');
      const digest = await writeRandomFile(up, SIZE);
      const url = `s3://${target.bucket}/awscli/big file.bin`;

      await cli('s3', 'cp', up, url, '--only-show-errors');
      const head = JSON.parse(
        await cli(
          's3api',
          'head-object',
          '--bucket',
          target.bucket,
          '--key',
          'awscli/big file.bin',
        ),
      ) as { ContentLength?: number; ETag?: string };
      assert.equal(head.ContentLength, SIZE);
      assert.match(head.ETag ?? '', /-\d+"$/, 'a 50 MB cp is a multipart upload');

      await cli('s3', 'cp', url, down, '--only-show-errors');
      assert.equal(await sha256OfFile(down), digest, 'downloaded bytes equal the uploaded ones');

      const small = join(dir, 'small.txt');
      const smallBody = randomBytes(3000);
      await writeFile(small, smallBody);
      await cli(
        's3api',
        'put-object',
        '--bucket',
        target.bucket,
        '--key',
        'awscli/small.txt',
        '--body',
        small,
        '--checksum-algorithm',
        'SHA256',
      );
      const checked = JSON.parse(
        await cli(
          's3api',
          'head-object',
          '--bucket',
          target.bucket,
          '--key',
          'awscli/small.txt',
          '--checksum-mode',
          'ENABLED',
        ),
      ) as { ChecksumSHA256?: string; ContentLength?: number };
      assert.equal(checked.ContentLength, smallBody.byteLength);
      assert.equal(checked.ChecksumSHA256, sha256Base64(smallBody));

      await cli('s3', 'rm', url, '--only-show-errors');
      await cli('s3', 'rm', `s3://${target.bucket}/awscli/small.txt`, '--only-show-errors');
      assert.equal(await headStatus(target, 'awscli/big file.bin'), 404);
      assert.equal(await headStatus(target, 'awscli/small.txt'), 404);
    },
  );
});
