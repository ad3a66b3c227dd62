// Decoder for the aws-chunked content encoding: `hex-size[;chunk-signature=sig]\r\n data \r\n`
// repeated, a zero-size chunk, then optional trailing headers (checksums, trailer signature).
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { S3Error } from './errors.js';
import {
  chunkStringToSign,
  hmac,
  sha256Hex,
  signaturesEqual,
  trailerStringToSign,
} from './sigv4.js';

/** Chain state for verifying chunk signatures (signed streaming modes only). */
export interface ChunkSigning {
  signingKey: Buffer;
  amzDate: string;
  scope: string;
  seedSignature: string;
  /** STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: the trailer carries a signature too. */
  signedTrailer: boolean;
}

const MAX_LINE = 4096;
const MAX_TRAILER = 16 * 1024;

type State = 'size' | 'data' | 'data-crlf' | 'trailer' | 'done';

export class AwsChunkedDecoder extends Transform {
  /** Trailing headers by lower-case name, available once the stream has ended. */
  readonly trailers = new Map<string, string>();
  private state: State = 'size';
  private line = '';
  private remaining = 0;
  private chunkSignature = '';
  private chunkHash: Hash | undefined;
  private previous: string;
  private trailerText = '';
  private trailerSignature: string | undefined;

  constructor(private readonly signing?: ChunkSigning) {
    super();
    this.previous = signing?.seedSignature ?? '';
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.consume(chunk);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    // A body cut short of the zero-size chunk is incomplete; a missing final CRLF is tolerated.
    if (this.state === 'done' || (this.state === 'trailer' && this.line === '')) {
      try {
        this.finishTrailer();
        done();
      } catch (err) {
        done(err as Error);
      }
      return;
    }
    done(new S3Error('IncompleteBody', 'The request body terminated unexpectedly'));
  }

  private consume(buf: Buffer): void {
    let i = 0;
    while (i < buf.length) {
      switch (this.state) {
        case 'data': {
          const take = Math.min(this.remaining, buf.length - i);
          const piece = buf.subarray(i, i + take);
          this.chunkHash?.update(piece);
          this.push(piece);
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) this.state = 'data-crlf';
          break;
        }
        case 'size':
        case 'data-crlf':
        case 'trailer': {
          const nl = buf.indexOf(0x0a, i);
          const end = nl < 0 ? buf.length : nl + 1;
          this.line += buf.toString('latin1', i, end);
          i = end;
          if (this.line.length > (this.state === 'trailer' ? MAX_TRAILER : MAX_LINE)) {
            throw new S3Error('InvalidRequest', 'Malformed aws-chunked encoding: line too long');
          }
          if (nl >= 0) {
            const line = this.line.replace(/\r?\n$/, '');
            this.line = '';
            this.onLine(line);
          }
          break;
        }
        case 'done':
          // Bytes after the terminating blank line are ignored, as S3 does with padding.
          return;
      }
    }
  }

  private onLine(line: string): void {
    if (this.state === 'data-crlf') {
      if (line !== '')
        throw new S3Error(
          'InvalidRequest',
          'Malformed aws-chunked encoding: missing CRLF after chunk data',
        );
      this.endChunk();
      this.state = 'size';
      return;
    }
    if (this.state === 'trailer') {
      if (line === '') {
        this.state = 'done';
        return;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) throw new S3Error('InvalidRequest', 'Malformed aws-chunked trailer');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'x-amz-trailer-signature') this.trailerSignature = value;
      else {
        this.trailers.set(name, value);
        this.trailerText += `${name}:${value}\n`;
      }
      return;
    }
    // Chunk header: hex size, optionally `;chunk-signature=<64 hex>`.
    const m = /^([0-9a-fA-F]{1,16})(?:;chunk-signature=([0-9a-f]{64}))?$/.exec(line.trim());
    if (!m) throw new S3Error('InvalidRequest', 'Malformed aws-chunked encoding: bad chunk header');
    const size = parseInt(m[1], 16);
    if (this.signing && m[2] === undefined) {
      throw new S3Error(
        'SignatureDoesNotMatch',
        'Missing chunk signature in a signed streaming payload.',
      );
    }
    this.chunkSignature = m[2] ?? '';
    this.chunkHash = this.signing ? createHash('sha256') : undefined;
    if (size === 0) {
      this.endChunk();
      this.state = 'trailer';
    } else {
      this.remaining = size;
      this.state = 'data';
    }
  }

  private endChunk(): void {
    if (!this.signing || !this.chunkHash) return;
    const hash = this.chunkHash.digest('hex');
    this.chunkHash = undefined;
    const toSign = chunkStringToSign(this.signing.amzDate, this.signing.scope, this.previous, hash);
    const expected = hmac(this.signing.signingKey, toSign).toString('hex');
    if (!signaturesEqual(expected, this.chunkSignature)) {
      throw new S3Error(
        'SignatureDoesNotMatch',
        'The chunk signature we calculated does not match the signature you provided.',
      );
    }
    this.previous = expected;
  }

  private finishTrailer(): void {
    if (!this.signing?.signedTrailer) return;
    if (this.trailerSignature === undefined) {
      throw new S3Error(
        'SignatureDoesNotMatch',
        'Missing x-amz-trailer-signature in a signed trailer.',
      );
    }
    const toSign = trailerStringToSign(
      this.signing.amzDate,
      this.signing.scope,
      this.previous,
      sha256Hex(this.trailerText),
    );
    const expected = hmac(this.signing.signingKey, toSign).toString('hex');
    if (!signaturesEqual(expected, this.trailerSignature)) {
      throw new S3Error(
        'SignatureDoesNotMatch',
        'The trailer signature we calculated does not match the signature you provided.',
      );
    }
  }
}
