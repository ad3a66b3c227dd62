// .dockerignore as the Docker engine applies it (moby/patternmatcher): patterns in order, the
// last one matching a path or any folder above it decides; `!` re-includes; `*` and `?` stay
// within one path segment, `**` spans any number of them.
import { readRepoFile } from './repo-files.js';

interface Pattern {
  exclude: boolean;
  regex: RegExp;
}

function toRegex(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i] ?? '';
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export function readDockerignore(text = readRepoFile('.dockerignore')): Pattern[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const exclude = !line.startsWith('!');
      const glob = (exclude ? line : line.slice(1)).replace(/^\/+|\/+$/g, '');
      return { exclude, regex: toRegex(glob) };
    });
}

/** True when the build context leaves `path` (relative to the repository root) out. */
export function isExcluded(patterns: Pattern[], path: string): boolean {
  const parts = path.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let excluded = false;
  for (const { exclude, regex } of patterns) {
    if (candidates.some((c) => regex.test(c))) excluded = exclude;
  }
  return excluded;
}
