/**
 * The headers a presigned upload binds (lowercase names): the presigner signs exactly these
 * (a single PUT all four, an UploadPart length and checksum), the client sends them verbatim,
 * and the bucket's CORS rules allow the ones a browser names in its preflight.
 */
export const UPLOAD_HEADERS = {
  contentLength: 'content-length',
  contentType: 'content-type',
  checksumSha256: 'x-amz-checksum-sha256',
  ifNoneMatch: 'if-none-match',
} as const;

/**
 * Signed headers the browser sets by itself (forbidden request headers in the Fetch standard):
 * they never appear in Access-Control-Request-Headers, so CORS rules need not allow them.
 */
export const BROWSER_SET_HEADERS: ReadonlySet<string> = new Set(['content-length', 'host']);

/** What a browser lists in Access-Control-Request-Headers before one of our uploads. */
export const PREFLIGHT_UPLOAD_HEADERS: readonly string[] = Object.values(UPLOAD_HEADERS).filter(
  (name) => !BROWSER_SET_HEADERS.has(name),
);
