import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

// Built by `vite build --config apps/web/vite.config.ts` into dist/web, which the API serves
// (apps/api/src/modules/web): index.html at / and /pair, hashed files under /assets/.
export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: false,
  // Vite 8 transforms TSX with Oxc: Preact's automatic JSX runtime, no plugin needed.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('../../dist/web'),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    // Every asset is a file under /assets/: nothing inlined as a data: or blob: URL, which the
    // strict CSP would refuse for scripts and workers.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: true,
  },
  worker: { format: 'es' },
  // `vite --config apps/web/vite.config.ts` for development, next to an API on port 3000.
  server: { proxy: { '/v1': 'http://localhost:3000' } },
});
