/** A request a client performs directly against storage. Send exactly `headers`. */
export interface PresignedRequest {
  method: 'GET' | 'PUT';
  url: string;
  /** Headers bound by the signature (lowercase names); the client must send exactly these. */
  headers: Record<string, string>;
  expiresAt: Date;
}

export interface PresignPutInput {
  key: string;
  contentLength: number;
  contentType: string;
  /** Base64 SHA-256 of the body; storage verifies it and rejects other bytes. */
  sha256Base64: string;
  expiresInSeconds: number;
  /** Refuse to overwrite an existing object (`If-None-Match: *`). */
  ifNoneMatch?: boolean;
}

export interface PresignGetInput {
  key: string;
  expiresInSeconds: number;
  responseContentDisposition?: string;
  responseContentType?: string;
}

export interface PresignUploadPartInput {
  key: string;
  uploadId: string;
  partNumber: number;
  contentLength: number;
  /** Only when the multipart upload was created with the SHA256 checksum algorithm. */
  sha256Base64?: string;
  expiresInSeconds: number;
}

/** Signs URLs against the public storage endpoint (S3_PUBLIC_ENDPOINT). */
export interface Presigner {
  presignPut(input: PresignPutInput): PresignedRequest;
  presignGet(input: PresignGetInput): PresignedRequest;
  presignUploadPart(input: PresignUploadPartInput): PresignedRequest;
}

/** Nest injection token for the Presigner. */
export const PRESIGNER = Symbol('PRESIGNER');
