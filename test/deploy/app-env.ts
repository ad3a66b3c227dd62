// Runs the apps' own configuration loader over the environment a deployment file gives them: a
// setting the apps require that a file does not wire fails here as it would at boot, and a
// variable the loader never reads (a typo, a renamed setting) is reported too.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '@app/config';

/**
 * Variables the deployment files may set for settings libs/config does not read yet; none now
 * (OPS_PORT is read). Each must leave this list once libs/config reads it.
 */
export const PENDING_SETTINGS: ReadonlySet<string> = new Set<string>();

export interface LoadedEnv {
  config: AppConfig;
  /** Every variable the loader looked at. */
  read: ReadonlySet<string>;
}

/** loadConfig over `env`, recording what it reads; throws the ConfigError the app would print. */
export function loadRecording(env: Readonly<Record<string, string>>): LoadedEnv {
  const read = new Set<string>();
  const watched = new Proxy(env, {
    get(target, name) {
      if (typeof name === 'string') read.add(name);
      return Reflect.get(target, name) as unknown;
    },
  });
  return { config: loadConfig(watched), read };
}

/** Variables `env` sets that the loader never read (pending settings aside). */
export const unreadVariables = (env: Readonly<Record<string, string>>, loaded: LoadedEnv) =>
  Object.keys(env).filter((name) => !loaded.read.has(name) && !PENDING_SETTINGS.has(name));

let keyFile: string | undefined;

/** A file holding a real RSA key, standing in for a key file the deployment mounts. */
export function testKeyFile(): string {
  if (keyFile === undefined) {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    keyFile = join(mkdtempSync(join(tmpdir(), 'sx-deploy-key-')), 'jwt-private-key.pem');
    writeFileSync(keyFile, privateKey, { mode: 0o600 });
  }
  return keyFile;
}
