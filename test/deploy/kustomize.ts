// Renders the kustomizations under k8s/ with `kubectl kustomize` and gives typed views of the
// objects the deployment specs check.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isRecord, parseYamlStream, repoPath } from './repo-files.js';

export interface Metadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: Metadata;
  spec?: unknown;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
}

export interface Probe {
  httpGet?: { path: string; port: string | number };
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
  };
}

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: ContainerPort[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

export interface Volume {
  name: string;
  emptyDir?: Record<string, unknown>;
  secret?: { secretName: string; items?: { key: string; path: string }[] };
}

export interface PodSpec {
  serviceAccountName?: string;
  terminationGracePeriodSeconds?: number;
  securityContext?: SecurityContext;
  containers: Container[];
  volumes?: Volume[];
}

export interface Deployment extends Manifest {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: Metadata; spec: PodSpec };
  };
}

/** Why kustomizations cannot be rendered here, or undefined when kubectl runs. */
export function kubectlMissing(): string | undefined {
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) {
    return 'kubectl is not installed (Debian: apt-get install kubectl): the k8s/ renders are not checked';
  }
  return undefined;
}

/** k8s/base and every overlay, relative to the repository root. */
export function kustomizations(): string[] {
  const overlays = repoPath('k8s/overlays');
  const names = existsSync(overlays) ? readdirSync(overlays) : [];
  return ['k8s/base', ...names.map((n) => `k8s/overlays/${n}`)].filter((dir) =>
    existsSync(join(repoPath(dir), 'kustomization.yaml')),
  );
}

/** `kubectl kustomize <dir>`: the objects it renders, or an error with kubectl's message. */
export function render(dir: string): Manifest[] {
  const r = spawnSync('kubectl', ['kustomize', repoPath(dir)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${r.stderr}`);
  // kubectl's own output: trusted to have the shape of Kubernetes objects.
  return parseYamlStream(r.stdout).filter((m): m is Manifest => isRecord(m));
}

export const ofKind = <T extends Manifest = Manifest>(manifests: Manifest[], kind: string): T[] =>
  manifests.filter((m) => m.kind === kind) as T[];

export function named<T extends Manifest>(manifests: T[], name: string): T {
  const found = manifests.find((m) => m.metadata.name === name);
  if (found === undefined) throw new Error(`no ${name} among the rendered objects`);
  return found;
}

/** True when every label of `selector` is on `labels`. */
export const selects = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);
