// HTTP helpers for the files e2e specs: the API with plain fetch and a bearer token, and storage
// with plain fetch on the presigned URLs, sending exactly the headers the API returned, as a
// browser or phone client would.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

export type FileStatus = 'pending' | 'verifying' | 'ready' | 'rejected' | 'deleted';

export interface FileBody {
  id: string;
  sessionId: string;
  name: string;
  size: number;
  contentType: string;
  sha256: string;
  status: FileStatus;
  downloads: number;
  maxDownloads: number;
  createdAt: string;
  readyAt: string | null;
  expiresAt: string;
}

export interface SingleUpload {
  mode: 'single';
  method: 'PUT';
  url: string;
  headers: Record<string, string>;
  expiresAt: string;
}

export interface MultipartUpload {
  mode: 'multipart';
  partSize: number;
  partCount: number;
  expiresAt: string;
}

export interface Declared<U = SingleUpload | MultipartUpload> {
  file: FileBody;
  upload: U;
}

export interface PartUrl {
  partNumber: number;
  url: string;
  headers: Record<string, string>;
  expiresAt: string;
}

export interface StoredPart {
  partNumber: number;
  size: number;
  etag: string;
}

export interface DownloadGrant {
  url: string;
  expiresAt: string;
  remainingDownloads: number;
}

export const sha256Hex = (bytes: Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex');

/** `size` pseudo-random bytes, the same for the same seed (xorshift32), fast for tens of MiB. */
export function testBytes(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.writeUInt32LE(x, i);
  }
  for (; i < size; i++) out[i] = (x >>> ((i % 4) * 8)) & 0xff;
  return out;
}

/** One API request; `body` is sent as JSON (a string is sent as it is). */
export function api(
  baseUrl: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The JSON body of a response that must have `status`. */
export async function expectStatus<T>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

export interface FileSpec {
  name?: string;
  contentType?: string;
  bytes: Buffer;
  /** Declared instead of the bytes' own hash / length (to test mismatches). */
  sha256?: string;
  size?: number;
}

export const declareBody = (spec: FileSpec): Record<string, unknown> => ({
  name: spec.name ?? 'notes.txt',
  size: spec.size ?? spec.bytes.length,
  contentType: spec.contentType ?? 'text/plain',
  sha256: spec.sha256 ?? sha256Hex(spec.bytes),
});

export const declare = (baseUrl: string, token: string, sessionId: string, body: unknown) =>
  api(baseUrl, 'POST', `/v1/sessions/${sessionId}/files`, token, body);

export async function declared<U extends SingleUpload | MultipartUpload>(
  baseUrl: string,
  token: string,
  sessionId: string,
  spec: FileSpec,
  mode: U['mode'],
): Promise<Declared<U>> {
  const out = await expectStatus<Declared<U>>(
    await declare(baseUrl, token, sessionId, declareBody(spec)),
    201,
  );
  assert.equal(out.upload.mode, mode);
  return out;
}

/** A PUT to storage with exactly `headers` (overrides added or replacing). */
export function putTo(
  target: { url: string; headers: Record<string, string> },
  bytes: Uint8Array,
  overrides: Record<string, string> = {},
): Promise<Response> {
  return fetch(target.url, {
    method: 'PUT',
    headers: { ...target.headers, ...overrides },
    body: bytes,
  });
}

export async function putOk(
  target: { url: string; headers: Record<string, string> },
  bytes: Uint8Array,
) {
  const res = await putTo(target, bytes);
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return res;
}

export const complete = (baseUrl: string, token: string, fileId: string, body: unknown = {}) =>
  api(baseUrl, 'POST', `/v1/files/${fileId}/complete`, token, body);

export const requestParts = (
  baseUrl: string,
  token: string,
  fileId: string,
  parts: { partNumber: number; sha256: string }[],
) => api(baseUrl, 'POST', `/v1/files/${fileId}/parts`, token, { parts });

export const storedParts = (baseUrl: string, token: string, fileId: string) =>
  api(baseUrl, 'GET', `/v1/files/${fileId}/parts`, token);

export const grantDownload = (baseUrl: string, token: string, fileId: string) =>
  api(baseUrl, 'POST', `/v1/files/${fileId}/downloads`, token);

export const getFile = (baseUrl: string, token: string, fileId: string) =>
  api(baseUrl, 'GET', `/v1/files/${fileId}`, token);

export const deleteFile = (baseUrl: string, token: string, fileId: string) =>
  api(baseUrl, 'DELETE', `/v1/files/${fileId}`, token);

export const listFiles = (baseUrl: string, token: string, sessionId: string, query = '') =>
  api(baseUrl, 'GET', `/v1/sessions/${sessionId}/files${query}`, token);

/** Declare, PUT and complete a small file: the file as complete answered it (ready). */
export async function uploadSingle(
  baseUrl: string,
  token: string,
  sessionId: string,
  spec: FileSpec,
): Promise<FileBody> {
  const { file, upload } = await declared<SingleUpload>(baseUrl, token, sessionId, spec, 'single');
  await putOk(upload, spec.bytes);
  const ready = await expectStatus<FileBody>(await complete(baseUrl, token, file.id), 200);
  assert.equal(ready.status, 'ready');
  return ready;
}

/** The bytes of part `n` (1-based) of `bytes` cut into `partSize` pieces. */
export const partBytes = (bytes: Buffer, partSize: number, n: number): Buffer =>
  bytes.subarray((n - 1) * partSize, Math.min(bytes.length, n * partSize));

/** Asks for the URLs of `numbers` and PUTs those parts of `bytes`. */
export async function uploadParts(
  baseUrl: string,
  token: string,
  fileId: string,
  bytes: Buffer,
  partSize: number,
  numbers: number[],
): Promise<void> {
  const { parts } = await expectStatus<{ parts: PartUrl[] }>(
    await requestParts(
      baseUrl,
      token,
      fileId,
      numbers.map((n) => ({ partNumber: n, sha256: sha256Hex(partBytes(bytes, partSize, n)) })),
    ),
    200,
  );
  assert.deepEqual(
    parts.map((p) => p.partNumber),
    numbers,
  );
  await Promise.all(parts.map((p) => putOk(p, partBytes(bytes, partSize, p.partNumber))));
}

/** Polls GET /v1/files/:id until the file leaves `verifying` (or the deadline passes). */
export async function settled(
  baseUrl: string,
  token: string,
  fileId: string,
  deadlineMs = 30_000,
): Promise<FileBody> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const file = await expectStatus<FileBody>(await getFile(baseUrl, token, fileId), 200);
    if (file.status !== 'verifying') return file;
    if (Date.now() > deadline) throw new Error(`file ${fileId} still verifying`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Grants a download and fetches it: the response (body unread) and the grant. */
export async function download(
  baseUrl: string,
  token: string,
  fileId: string,
): Promise<{ grant: DownloadGrant; res: Response }> {
  const grant = await expectStatus<DownloadGrant>(await grantDownload(baseUrl, token, fileId), 201);
  const res = await fetch(grant.url);
  return { grant, res };
}

/** Undoes RFC 5987 `filename*=UTF-8''…` of a Content-Disposition header; null without one. */
export function extendedFilename(disposition: string): string | null {
  const match = /filename\*=UTF-8''([^;\s]+)/i.exec(disposition);
  return match?.[1] === undefined ? null : decodeURIComponent(match[1]);
}
