// What `sharexpress receive` was given: a typed code or a pairing URL (the QR code's content).

import { printable } from './text.ts';

export type PairingTarget =
  | { readonly kind: 'code'; readonly code: string }
  /** `server` is the API the URL points at: its origin, plus any path before `/pair`. */
  | { readonly kind: 'secret'; readonly secret: string; readonly server: string };

/** Why an argument is neither a code nor a pairing URL (a usage error). */
export class TargetError extends Error {}

// The server compares codes without dashes or spaces and case-insensitively; it decides whether
// one exists, so any 8 letters or digits are passed on (its alphabet may change).
const CODE = /^[A-Z0-9]{8}$/;

/** Reads a code (`ABCD-EFGH`, `abcdefgh`, `ABCD EFGH`) or a pairing URL (`<server>/pair#<secret>`). */
export function parseTarget(input: string): PairingTarget {
  const text = input.trim();
  if (/^https?:\/\//i.test(text)) return fromUrl(text);
  const code = text.replace(/[\s-]/g, '').toUpperCase();
  if (CODE.test(code)) return { kind: 'code', code };
  throw new TargetError(
    `"${printable(text)}" is neither a pairing code (8 letters, like BCDF-GHJK) nor a pairing URL (https://…/pair#…)`,
  );
}

function fromUrl(text: string): PairingTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not echoed: it may carry the secret.
    throw new TargetError('The pairing URL is not a valid URL: copy it whole, or type the code');
  }
  const secret = decodeFragment(url.hash.slice(1));
  if (!secret) {
    throw new TargetError(
      'This URL carries no pairing secret (the part after #): copy the whole pairing URL, or type the code',
    );
  }
  // A server published under a path prefix (https://host/share/pair#…) keeps its prefix.
  const prefix = url.pathname.replace(/\/pair\/?$/, '').replace(/\/+$/, '');
  return { kind: 'secret', secret, server: url.origin + prefix };
}

function decodeFragment(fragment: string): string {
  try {
    return decodeURIComponent(fragment).trim();
  } catch {
    return fragment.trim();
  }
}
