import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';

/** One file of the built client, held in memory with its precompressed forms. */
export interface WebFile {
  body: Buffer;
  contentType: string;
  br?: Buffer;
  gzip?: Buffer;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.svg', '.json', '.map', '.txt']);
// Vite's hashed names: letters, digits, '-', '_' and '.', nothing that could leave the folder.
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const contentTypeOf = (name: string): string =>
  CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';

/**
 * The built web client (dist/web: index.html and assets/*), read once into memory: it is about
 * a hundred KiB, and serving from memory leaves no path on disk a request could reach.
 */
export class WebBuild {
  private constructor(
    readonly index: WebFile,
    private readonly assets: ReadonlyMap<string, WebFile>,
  ) {}

  /** The build in `dir`, or null when there is none (no index.html). */
  static async load(dir: string): Promise<WebBuild | null> {
    let html: Buffer;
    try {
      html = await readFile(join(dir, 'index.html'));
    } catch {
      return null;
    }
    const assets = new Map<string, WebFile>();
    const names = await readdir(join(dir, 'assets')).catch(() => [] as string[]);
    for (const name of names.filter((n) => ASSET_NAME.test(n))) {
      const body = await readFile(join(dir, 'assets', name)).catch(() => null);
      if (body !== null) assets.set(name, prepare(name, body));
    }
    return new WebBuild(prepare('index.html', html), assets);
  }

  /** The file /assets/<name> serves, if the build has it. */
  asset(name: string): WebFile | undefined {
    return ASSET_NAME.test(name) ? this.assets.get(name) : undefined;
  }

  get assetNames(): string[] {
    return [...this.assets.keys()];
  }
}

function prepare(name: string, body: Buffer): WebFile {
  const file: WebFile = { body, contentType: contentTypeOf(name) };
  if (!COMPRESSIBLE.has(extname(name).toLowerCase()) || body.length < 256) return file;
  const br = brotliCompressSync(body, {
    params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length },
  });
  const gzip = gzipSync(body, { level: 9 });
  if (br.length < body.length) file.br = br;
  if (gzip.length < body.length) file.gzip = gzip;
  return file;
}

/** The best encoding of `file` that `acceptEncoding` allows: br, then gzip, else identity. */
export function negotiate(
  file: WebFile,
  acceptEncoding: string | undefined,
): { body: Buffer; encoding?: 'br' | 'gzip' } {
  const accepted = new Set<string>();
  for (const part of (acceptEncoding ?? '').toLowerCase().split(',')) {
    const [token = '', ...params] = part.split(';').map((s) => s.trim());
    const q = params.find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) accepted.add(token);
  }
  if (file.br !== undefined && accepted.has('br')) return { body: file.br, encoding: 'br' };
  if (file.gzip !== undefined && accepted.has('gzip')) return { body: file.gzip, encoding: 'gzip' };
  return { body: file.body };
}
