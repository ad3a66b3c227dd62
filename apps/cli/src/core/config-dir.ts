// Where the client keeps its files (credentials, resumable send state), private to the user.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, win32 } from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;

const APP = 'sharexpress';

/**
 * `SHAREXPRESS_CONFIG_DIR`, else `$XDG_CONFIG_HOME/sharexpress`, else the platform's
 * config directory (Linux `~/.config`, macOS `~/Library/Application Support`, Windows
 * `%APPDATA%`).
 */
export function configDir(
  env: Env,
  platform: NodeJS.Platform = process.platform,
  home: string = env.HOME || env.USERPROFILE || homedir(),
): string {
  const explicit = env.SHAREXPRESS_CONFIG_DIR;
  if (explicit) return explicit;
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg) return join(xdg, APP);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP);
  if (platform === 'win32') {
    return win32.join(env.APPDATA || win32.join(home, 'AppData', 'Roaming'), APP);
  }
  return join(home, '.config', APP);
}

/** Creates the directory (and parents) readable by the user only. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask and leaves an existing directory as it is.
  if (process.platform !== 'win32') chmodSync(dir, 0o700);
}

/** Writes `text` to `path` with mode 0600, atomically (a temporary file, then a rename). */
export function writePrivateFile(path: string, text: string): void {
  ensurePrivateDir(dirname(path));
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
    if (process.platform !== 'win32') chmodSync(tmp, 0o600);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
