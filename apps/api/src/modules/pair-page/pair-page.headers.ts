import { applyDecorators, Header } from '@nestjs/common';

// Stricter than the API-wide policy (libs/common/src/http/security.ts), which leaves room for
// Swagger UI: this page runs its one same-origin script and stylesheet, talks to this origin
// only, and can be neither framed nor made to submit a form anywhere.
export const PAIR_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers of every /pair response; set after helmet's, so they replace its CSP. */
export const PairPageHeaders = (contentType: string, cacheControl: string): MethodDecorator =>
  applyDecorators(
    Header('Content-Type', contentType),
    Header('Cache-Control', cacheControl),
    Header('Content-Security-Policy', PAIR_PAGE_CSP),
    Header('Referrer-Policy', 'no-referrer'),
    Header('X-Content-Type-Options', 'nosniff'),
  );
