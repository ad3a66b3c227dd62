// npm run bench:devstack-s3: a 256 MiB presigned PUT and GET with fetch against the devstack S3
// running in a child process, reporting MB/s and the server's peak RSS, sampled from
// /proc/<pid>/status every 50 ms. The server must stream: PASS when peak RSS < 128 MiB.
// Neither process holds the object: the body is a deterministic AES-CTR keystream generated
// twice (once to hash for the signed checksum, once to send) and the download is hashed as it
// streams. The same file started with `--serve DIR` is the child.
import { spawn } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_S3_MIB ?? '256') * MiB;
const CHUNK = MiB;
const RSS_LIMIT = 128 * MiB;
const DEADLINE_MS = 180_000;

interface ServerInfo {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** Child mode: run the server until stdin closes or a signal arrives. */
async function serve(dataDir: string): Promise<void> {
  // Only the S3 server's modules (not the SDK, not the MongoDB server), so its RSS is its own.
  const { startS3Server } = await import('../../libs/devstack/src/s3/index.js');
  const server = await startS3Server({ port: 0, host: '127.0.0.1', dataDir });
  const info: ServerInfo = {
    endpoint: server.endpoint,
    region: server.region,
    credentials: server.credentials,
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
  const stop = (): void => {
    void server.stop().finally(() => process.exit(0));
  };
  process.stdin.on('end', stop).resume();
  process.on('SIGTERM', stop);
}

/** The same pseudo-random bytes every time for a given key: AES-CTR over zeros. */
function* payload(key: Buffer, size: number): Generator<Uint8Array> {
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(CHUNK);
  for (let left = size; left > 0; left -= CHUNK) {
    yield cipher.update(left >= CHUNK ? zeros : zeros.subarray(0, left));
  }
}

async function digestOf(chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<Buffer> {
  const hash = createHash('sha256');
  for await (const chunk of chunks) hash.update(chunk);
  return hash.digest();
}

class RssSampler {
  peak = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly pid: number) {
    this.timer = setInterval(() => void this.sample(), 50);
  }
  async sample(): Promise<number> {
    const status = await readFile(`/proc/${String(this.pid)}/status`, 'utf8').catch(() => '');
    const kib = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? '0');
    this.peak = Math.max(this.peak, kib * 1024);
    return kib * 1024;
  }
  /** VmHWM: the kernel's own high-water mark, which catches spikes between samples. */
  async highWater(): Promise<number> {
    const status = await readFile(`/proc/${String(this.pid)}/status`, 'utf8').catch(() => '');
    return Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? '0') * 1024;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

const mb = (bytes: number): string => (bytes / MiB).toFixed(1);
const rate = (bytes: number, ms: number): string => ((bytes / MiB / ms) * 1000).toFixed(1);

async function startChild(dataDir: string) {
  const child = spawn(
    process.execPath,
    [...process.execArgv, process.argv[1] ?? '', '--serve', dataDir],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server exited early (${String(code)})`)));
  });
  return { child, info: JSON.parse(first) as ServerInfo };
}

async function bench(): Promise<boolean> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sx-bench-s3-'));
  const { child, info } = await startChild(dataDir);
  const sampler = new RssSampler(child.pid ?? 0);
  const { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } =
    await import('@aws-sdk/client-s3');
  const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
  const client: S3Client = new S3Client({
    endpoint: info.endpoint,
    region: info.region,
    credentials: info.credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  try {
    const idle = await sampler.sample();
    const Bucket = 'bench';
    const Key = 'big.bin';
    await client.send(new CreateBucketCommand({ Bucket }));
    const seed = randomBytes(16);
    const expected = await digestOf(payload(seed, SIZE));
    const checksum = expected.toString('base64');

    const putUrl = await getSignedUrl(
      client,
      new PutObjectCommand({ Bucket, Key, ContentLength: SIZE, ChecksumSHA256: checksum }),
      { expiresIn: 600, unhoistableHeaders: new Set(['x-amz-checksum-sha256']) },
    );
    const putStart = performance.now();
    const put = await fetch(putUrl, {
      method: 'PUT',
      headers: { 'content-length': String(SIZE), 'x-amz-checksum-sha256': checksum },
      // fetch streams async iterables only; a plain generator would be sent as a string.
      body: Readable.from(payload(seed, SIZE), { objectMode: false }),
      duplex: 'half',
    });
    const putMs = performance.now() - putStart;
    if (put.status !== 200) throw new Error(`PUT ${String(put.status)}: ${await put.text()}`);
    await put.arrayBuffer();

    const getUrl = await getSignedUrl(client, new GetObjectCommand({ Bucket, Key }), {
      expiresIn: 600,
    });
    const getStart = performance.now();
    const get = await fetch(getUrl);
    if (get.status !== 200 || get.body === null) throw new Error(`GET ${String(get.status)}`);
    const got = await digestOf(get.body);
    const getMs = performance.now() - getStart;

    sampler.stop();
    const peak = Math.max(sampler.peak, await sampler.highWater());
    const intact = got.equals(expected);
    const flat = peak < RSS_LIMIT;
    console.log(`devstack S3, ${mb(SIZE)} MiB object, server in child pid ${String(child.pid)}`);
    console.log(`  presigned PUT  ${rate(SIZE, putMs)} MB/s (${(putMs / 1000).toFixed(2)} s)`);
    console.log(`  presigned GET  ${rate(SIZE, getMs)} MB/s (${(getMs / 1000).toFixed(2)} s)`);
    console.log(`  bytes intact   ${intact ? 'yes' : 'NO: downloaded SHA-256 differs'}`);
    console.log(`  server RSS     idle ${mb(idle)} MiB, peak ${mb(peak)} MiB`);
    console.log(
      `  ${flat ? 'PASS' : 'FAIL'}: peak server RSS ${flat ? '<' : '>='} ${mb(RSS_LIMIT)} MiB`,
    );
    return intact && flat;
  } finally {
    sampler.stop();
    client.destroy();
    child.stdin?.end();
    await new Promise((resolve) => child.once('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--serve') {
  await serve(process.argv[3] ?? '');
} else {
  const deadline = setTimeout(() => {
    console.error(`FAIL: benchmark did not finish within ${String(DEADLINE_MS / 1000)} s`);
    process.exit(1);
  }, DEADLINE_MS);
  deadline.unref();
  const ok = await bench().catch((err: unknown) => {
    console.error(`FAIL: ${err instanceof Error ? err.message : String(err)}`, err);
    return false;
  });
  process.exitCode = ok ? 0 : 1;
}
