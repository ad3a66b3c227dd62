// Bind addresses of the devstack and the apps: which are wildcards, which stay on this machine,
// and how to write one into a URL.
import { isIP } from 'node:net';

// RFC 1123 labels: letters, digits and inner hyphens, at most 63 characters each.
const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** An IP address (IPv6 without brackets) or a hostname: what `server.listen(port, host)` takes. */
export function isBindHost(host: string): boolean {
  return isIP(host) !== 0 || HOSTNAME.test(host);
}

/** A bind address that listens on every interface. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

/** True only for addresses that cannot be reached from another machine. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost') || name === '::1') return true;
  const v4 = name.startsWith('::ffff:') ? name.slice('::ffff:'.length) : name;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** The host as written in a URL: IPv6 addresses in brackets. */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The address a local client uses to reach a server bound to `host`. */
export function reachableHost(host: string): string {
  return isWildcardHost(host) ? '127.0.0.1' : urlHost(host);
}
