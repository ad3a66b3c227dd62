#!/usr/bin/env node
// The `sharexpress` command. In this repository it runs the TypeScript sources directly (Node 24
// strips the types; nothing to build after `npm ci`); a published package carries dist/ instead.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const built = new URL('../dist/main.js', import.meta.url);
await import(existsSync(built) ? built.href : new URL('../src/main.ts', import.meta.url).href);
