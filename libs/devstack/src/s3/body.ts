// Receives a request body as a stream: aws-chunked decoding, byte counting and every digest in
// one pass, into a file or (for small XML documents) memory. Verifies x-amz-content-sha256,
// Content-MD5 and x-amz-checksum-* before anything is committed.
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AwsChunkedDecoder } from './chunked.js';
import {
  CHECKSUM_ALGORITHMS,
  Checksummer,
  checksumHeader,
  isValidDigest,
  parseAlgorithm,
  type ChecksumAlgorithm,
} from './checksums.js';
import { header, type S3Context } from './context.js';
import { removeQuietly } from './disk.js';
import { S3Error } from './errors.js';
import { STREAMING_PAYLOADS, UNSIGNED_PAYLOAD } from './sigv4.js';

const MAX_PUT_SIZE = 5 * 1024 ** 3;
const BODY_IDLE_TIMEOUT_MS = 20_000;

export interface ReceivedBody {
  size: number;
  md5: Buffer;
  /** The checksum computed in the algorithm the client asked for (or `algorithm` option). */
  checksum?: { algorithm: ChecksumAlgorithm; value: string; provided: boolean };
}

export interface ReceiveOptions {
  /** Compute this checksum even if the client sent none (multipart uploads with an algorithm). */
  algorithm?: ChecksumAlgorithm;
  /** Reject bodies larger than this many bytes. */
  maxSize?: number;
  /** x-amz-checksum-* headers describe the object, not this body (CompleteMultipartUpload). */
  objectChecksumHeaders?: boolean;
}

interface Expectation {
  declared: number;
  chunked: boolean;
  algorithm?: ChecksumAlgorithm;
  headerValue?: string;
  trailerName?: string;
  md5?: Buffer;
}

function expectation(ctx: S3Context, options: ReceiveOptions): Expectation {
  const payload = ctx.auth.payloadHash;
  const encoding = header(ctx, 'content-encoding') ?? '';
  const chunked =
    STREAMING_PAYLOADS.has(payload) || encoding.split(',').some((e) => e.trim() === 'aws-chunked');
  const lengthText = chunked
    ? header(ctx, 'x-amz-decoded-content-length')
    : header(ctx, 'content-length');
  if (lengthText === undefined || !/^\d+$/.test(lengthText))
    throw new S3Error('MissingContentLength');
  const declared = Number(lengthText);
  if (declared > (options.maxSize ?? MAX_PUT_SIZE)) {
    throw new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
      ProposedSize: lengthText,
      MaxSizeAllowed: String(options.maxSize ?? MAX_PUT_SIZE),
    });
  }

  const present = [...ctx.headers.keys()].filter(
    (h) =>
      !options.objectChecksumHeaders &&
      h.startsWith('x-amz-checksum-') &&
      h !== 'x-amz-checksum-algorithm' &&
      h !== 'x-amz-checksum-type' &&
      h !== 'x-amz-checksum-mode',
  );
  if (present.length > 1) {
    throw new S3Error(
      'InvalidRequest',
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    );
  }
  let algorithm: ChecksumAlgorithm | undefined;
  let headerValue: string | undefined;
  if (present.length === 1) {
    algorithm = parseAlgorithm(present[0].slice('x-amz-checksum-'.length));
    headerValue = header(ctx, present[0]);
  }
  const trailer = header(ctx, 'x-amz-trailer')?.trim().toLowerCase();
  let trailerName: string | undefined;
  if (trailer) {
    if (!chunked || !payload.endsWith('-TRAILER')) {
      throw new S3Error(
        'InvalidRequest',
        'x-amz-trailer is only allowed with a STREAMING-*-TRAILER payload.',
      );
    }
    if (!trailer.startsWith('x-amz-checksum-'))
      throw new S3Error('InvalidRequest', `Unsupported trailer: ${trailer}`);
    const trailerAlg = parseAlgorithm(trailer.slice('x-amz-checksum-'.length));
    if (algorithm && algorithm !== trailerAlg) {
      throw new S3Error(
        'InvalidRequest',
        'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
      );
    }
    algorithm = trailerAlg;
    trailerName = trailer;
  }
  const sdkAlgorithm = options.objectChecksumHeaders
    ? undefined
    : header(ctx, 'x-amz-sdk-checksum-algorithm');
  if (sdkAlgorithm !== undefined) {
    const hinted = parseAlgorithm(sdkAlgorithm);
    if (algorithm && hinted !== algorithm) {
      throw new S3Error(
        'InvalidRequest',
        `Value for x-amz-sdk-checksum-algorithm header is invalid.`,
      );
    }
    algorithm = hinted;
  }
  if (options.algorithm && algorithm && options.algorithm !== algorithm) {
    throw new S3Error(
      'InvalidRequest',
      `Checksum Type mismatch occurred, expected checksum Type: ${options.algorithm.toLowerCase()}, actual checksum Type: ${algorithm.toLowerCase()}`,
    );
  }
  algorithm ??= options.algorithm;
  if (algorithm && headerValue !== undefined && !isValidDigest(algorithm, headerValue)) {
    throw new S3Error(
      'InvalidRequest',
      `Value for ${checksumHeader(algorithm)} header is invalid.`,
    );
  }

  let md5: Buffer | undefined;
  const md5Text = header(ctx, 'content-md5');
  if (md5Text !== undefined) {
    md5 = Buffer.from(md5Text, 'base64');
    if (md5.length !== 16 || !/^[A-Za-z0-9+/]+={0,2}$/.test(md5Text.trim()))
      throw new S3Error('InvalidDigest', 'The Content-MD5 you specified was invalid.');
  }
  return { declared, chunked, algorithm, headerValue, trailerName, md5 };
}

/** Counts and hashes bytes on their way to the sink; refuses more than `limit`. */
class Meter extends Transform {
  size = 0;
  readonly md5 = createHash('md5');
  readonly sha256: Hash | undefined;
  readonly checksummer: Checksummer | undefined;
  constructor(
    private readonly limit: number,
    sha256: boolean,
    algorithm: ChecksumAlgorithm | undefined,
  ) {
    super();
    this.sha256 = sha256 ? createHash('sha256') : undefined;
    this.checksummer = algorithm ? new Checksummer(algorithm) : undefined;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.limit) {
      done(
        new S3Error(
          'InvalidRequest',
          'The request body is longer than the declared content length.',
        ),
      );
      return;
    }
    this.md5.update(chunk);
    this.sha256?.update(chunk);
    this.checksummer?.update(chunk);
    done(null, chunk);
  }
}

/**
 * Pipes the request through our transforms into the sink. Unlike stream.pipeline, a failure in
 * our own streams does not destroy the request (that would reset the socket before the client
 * reads our error); the rest of the body is drained instead.
 */
function pump(req: S3Context['req'], transforms: Transform[], sink: Writable): Promise<void> {
  const first = transforms[0];
  const onClose = (): void => {
    if (!req.complete) first.destroy(new S3Error('IncompleteBody'));
  };
  // A client that stops sending mid-body gets S3's RequestTimeout instead of a hung request.
  let idle: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => first.destroy(new S3Error('RequestTimeout')), BODY_IDLE_TIMEOUT_MS);
  };
  req.on('close', onClose);
  req.on('data', arm);
  arm();
  req.pipe(first);
  const cleanup = (): void => {
    clearTimeout(idle);
    req.off('close', onClose);
    req.off('data', arm);
  };
  return pipeline([...transforms, sink]).then(cleanup, (err: unknown) => {
    cleanup();
    req.unpipe(first);
    req.resume();
    throw err;
  });
}

async function receive(
  ctx: S3Context,
  sink: Writable,
  options: ReceiveOptions,
): Promise<ReceivedBody> {
  const exp = expectation(ctx, options);
  if (header(ctx, 'expect')?.toLowerCase() === '100-continue') ctx.res.writeContinue();
  const payload = ctx.auth.payloadHash;
  const verifyPayload = payload !== UNSIGNED_PAYLOAD && !STREAMING_PAYLOADS.has(payload);
  const meter = new Meter(exp.declared, verifyPayload, exp.algorithm);
  const signed = payload.startsWith('STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
  const decoder = exp.chunked
    ? new AwsChunkedDecoder(
        signed
          ? {
              signingKey: ctx.auth.signingKey,
              amzDate: ctx.auth.amzDate,
              scope: ctx.auth.scope,
              seedSignature: ctx.auth.signature,
              signedTrailer: payload.endsWith('-TRAILER'),
            }
          : undefined,
      )
    : undefined;
  try {
    await pump(ctx.req, decoder ? [decoder, meter] : [meter], sink);
  } catch (err) {
    if (err instanceof S3Error) throw err;
    // The client went away or sent less than Content-Length.
    throw new S3Error('IncompleteBody');
  }
  if (meter.size < exp.declared) throw new S3Error('IncompleteBody');
  if (meter.sha256 && meter.sha256.digest('hex') !== payload) {
    throw new S3Error('XAmzContentSHA256Mismatch', undefined, {
      ClientComputedContentSHA256: payload,
    });
  }
  const md5 = meter.md5.digest();
  if (exp.md5 && !exp.md5.equals(md5)) {
    throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  if (!exp.algorithm || !meter.checksummer) return { size: meter.size, md5 };
  const value = meter.checksummer.digest().toString('base64');
  let expected = exp.headerValue;
  if (exp.trailerName) {
    expected = decoder?.trailers.get(exp.trailerName);
    if (expected === undefined)
      throw new S3Error('InvalidRequest', `Missing trailer ${exp.trailerName}`);
  }
  if (expected !== undefined && expected !== value) {
    throw new S3Error(
      'BadDigest',
      `The ${exp.algorithm} you specified did not match the calculated checksum.`,
    );
  }
  return {
    size: meter.size,
    md5,
    checksum: { algorithm: exp.algorithm, value, provided: expected !== undefined },
  };
}

/** Streams the body into `path`; on any failure the file is removed and the error rethrown. */
export async function receiveToFile(
  ctx: S3Context,
  path: string,
  options: ReceiveOptions = {},
): Promise<ReceivedBody> {
  try {
    return await receive(ctx, createWriteStream(path), options);
  } catch (err) {
    await removeQuietly(path);
    throw err;
  }
}

/** Reads a small body (XML documents) into memory, with the same verification. */
export async function receiveToBuffer(
  ctx: S3Context,
  options: ReceiveOptions = {},
): Promise<ReceivedBody & { body: Buffer }> {
  const parts: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      parts.push(chunk);
      done();
    },
  });
  const received = await receive(ctx, sink, { maxSize: 2 * 1024 * 1024, ...options });
  return { ...received, body: Buffer.concat(parts) };
}

/**
 * Reads the small XML body of an operation for which S3 requires Content-MD5 or a checksum
 * (DeleteObjects, PutBucketCors, PutBucketLifecycleConfiguration), refusing a request without one.
 */
export async function receiveVerifiedXml(ctx: S3Context): Promise<string> {
  if (!hasIntegrityHeader(ctx)) {
    throw new S3Error(
      'InvalidRequest',
      'Missing required header for this request: Content-MD5 OR x-amz-checksum-*',
    );
  }
  const { body } = await receiveToBuffer(ctx);
  return body.toString('utf8');
}

/** Whether the request carried an integrity header S3 accepts for operations that require one. */
function hasIntegrityHeader(ctx: S3Context): boolean {
  return (
    ctx.headers.has('content-md5') ||
    CHECKSUM_ALGORITHMS.some((a) => ctx.headers.has(checksumHeader(a))) ||
    ctx.headers.has('x-amz-trailer')
  );
}
