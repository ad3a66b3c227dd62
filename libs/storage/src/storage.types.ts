/** What storage knows about a stored object. */
export interface StoredObjectInfo {
  size: number;
  etag: string;
  /** Base64 SHA-256, when the object was stored with that checksum. */
  checksumSha256?: string;
  contentType?: string;
  /**
   * Stored Content-Encoding. A presigned PUT cannot forbid unsigned standard headers, so an
   * uploader may have added one; a download would then be served with it.
   */
  contentEncoding?: string;
  lastModified: Date;
}

export interface StoredPart {
  partNumber: number;
  size: number;
  etag: string;
  checksumSha256?: string;
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
  checksumSha256?: string;
}

export interface ListedObject {
  key: string;
  size: number;
  lastModified: Date;
}

export interface ObjectListing {
  objects: ListedObject[];
  /** Pass back to get the next page; absent on the last page. */
  nextToken?: string;
}

export interface DeleteObjectsResult {
  deleted: string[];
  failed: { key: string; code: string }[];
}

export interface ListedUpload {
  key: string;
  uploadId: string;
  initiated: Date;
}

export interface UploadListing {
  uploads: ListedUpload[];
  /** Pass back as `next` for the following page; absent on the last page. */
  next?: { keyMarker: string; uploadIdMarker: string };
}

/** A bucket rule that aborts some incomplete uploads under our prefix sooner than we asked. */
export interface EarlyAbortRule {
  /** Its ID; null when it has none. */
  id: string | null;
  /** Its DaysAfterInitiation. */
  days: number;
}

/** The permission a lifecycle call was refused for (403 AccessDenied). */
export type LifecyclePermission = 's3:GetLifecycleConfiguration' | 's3:PutLifecycleConfiguration';

/**
 * What ensureAbortIncompleteUploadsRule found or did. 'added' and 'present' list the enabled
 * rules (ours included) that abort uploads under the prefix sooner than asked; they are kept.
 */
export type LifecycleRuleOutcome =
  | { outcome: 'added' | 'present'; abortingSooner: EarlyAbortRule[] }
  /** No lifecycle API (501), or, with `refusedWith`, one that refused this rule (MinIO: 400). */
  | { outcome: 'unsupported'; refusedWith?: string }
  | { outcome: 'forbidden'; permission: LifecyclePermission };
