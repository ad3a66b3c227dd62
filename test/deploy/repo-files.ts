// The repository's files as the deployment specs read them (from dist/test/deploy/ after
// `nest build dev`, three levels below the repository root).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export const repoPath = (relative: string): string => join(repoRoot, relative);

export const readRepoFile = (relative: string): string => readFileSync(repoPath(relative), 'utf8');

/** One YAML document, with `<<` merge keys resolved as Docker Compose resolves them. */
export const parseYaml = (text: string): unknown => parse(text, { merge: true });

/** Every document of a multi-document YAML stream (kubectl output, manifests). */
export const parseYamlStream = (text: string): unknown[] =>
  parseAllDocuments(text, { merge: true }).map((doc) => doc.toJS() as unknown);

/** The files git tracks or would add (not ignored), or undefined outside a git checkout. */
export function trackedFiles(): string[] | undefined {
  const r = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (r.error !== undefined || r.status !== 0) return undefined;
  return r.stdout.split('\0').filter((f) => f !== '');
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `value[key]` as a record, or a test failure naming where it was expected. */
export function recordAt(value: unknown, key: string, where: string): Record<string, unknown> {
  const found = isRecord(value) ? value[key] : undefined;
  if (!isRecord(found)) throw new Error(`${where}: expected a mapping at "${key}"`);
  return found;
}

/** `value[key]` as a list (missing: empty). */
export function listAt(value: unknown, key: string): unknown[] {
  const found = isRecord(value) ? value[key] : undefined;
  return Array.isArray(found) ? (found as unknown[]) : [];
}
