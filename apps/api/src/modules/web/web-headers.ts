/** Content-Security-Policy of the web client: its own scripts and styles only, API and storage. */
export function webContentSecurityPolicy(storageOrigin: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    // The API is 'self'; presigned uploads and downloads go straight to storage.
    `connect-src 'self' ${storageOrigin}`,
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

// index.html is where a pairing secret lands (/pair#<secret>) and it names the current hashed
// assets: never cached. The assets never change under their name.
export const HTML_CACHE_CONTROL = 'no-store';
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';
