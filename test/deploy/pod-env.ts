// The environment a container of a rendered Deployment gets: its ConfigMap, its own values, the
// keys it takes from the example Secret, and the files it reads from Secret volumes (a real key
// stands in for the placeholder one). What an operator who filled in the example would run.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testKeyFile } from './app-env.js';
import { named, ofKind, type Container, type Manifest, type PodSpec } from './kustomize.js';

export interface ExampleSecret {
  name: string;
  values: Record<string, string>;
}

/** A Secret manifest's values, stringData and base64 data alike. */
export function secretValues(secret: Manifest): Record<string, string> {
  const decoded = Object.entries(secret.data ?? {}).map(
    ([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')] as const,
  );
  return { ...Object.fromEntries(decoded), ...(secret.stringData ?? {}) };
}

function secretFile(value: string, key: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sx-secret-')), key);
  writeFileSync(file, value, { mode: 0o600 });
  return file;
}

export function podEnv(
  manifests: Manifest[],
  pod: PodSpec,
  container: Container,
  secret: ExampleSecret,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) {
      Object.assign(env, named(ofKind(manifests, 'ConfigMap'), from.configMapRef.name).data);
    }
    if (from.secretRef) {
      assert.equal(from.secretRef.name, secret.name, `${container.name} reads an unknown Secret`);
      Object.assign(env, secret.values);
    }
  }
  for (const v of container.env ?? []) {
    const ref = v.valueFrom?.secretKeyRef;
    if (ref !== undefined) {
      assert.equal(ref.name, secret.name, `${container.name}: ${v.name} from an unknown Secret`);
      const value = secret.values[ref.key];
      assert.ok(value !== undefined || ref.optional === true, `the Secret lacks ${ref.key}`);
      if (value !== undefined) env[v.name] = value;
    } else if (v.value !== undefined) {
      env[v.name] = v.value;
    }
  }
  for (const [name, path] of Object.entries(env).filter(([n]) => n.endsWith('_FILE'))) {
    env[name] = mountedSecretFile(pod, container, path, secret, name);
  }
  return env;
}

/** The local stand-in for a file the container reads from a Secret volume. */
function mountedSecretFile(
  pod: PodSpec,
  container: Container,
  path: string,
  secret: ExampleSecret,
  variable: string,
): string {
  const mount = (container.volumeMounts ?? []).find((m) => path.startsWith(`${m.mountPath}/`));
  assert.ok(mount, `${container.name}: ${variable}=${path} is on no volume`);
  const volume = (pod.volumes ?? []).find((v) => v.name === mount.name);
  assert.ok(volume?.secret, `${container.name}: ${path} is not on a Secret volume`);
  assert.equal(volume.secret.secretName, secret.name);
  const relative = path.slice(mount.mountPath.length + 1);
  const item = volume.secret.items?.find((i) => i.path === relative);
  const key = item?.key ?? relative;
  const value = secret.values[key];
  assert.ok(value !== undefined, `the Secret lacks ${key} (${variable})`);
  // The example holds a placeholder where the signing key goes.
  return variable === 'JWT_PRIVATE_KEY_FILE' ? testKeyFile() : secretFile(value, key);
}
