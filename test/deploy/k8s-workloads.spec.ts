// The Deployments every kustomization under k8s/ renders (`kubectl kustomize`): replicas, probes,
// resources, the restricted security context, graceful termination, the metrics annotations,
// and, for the overlays, an environment the apps' configuration loader accepts.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadRecording, unreadVariables } from './app-env.js';
import { requestTimeoutMs, shutdownDeadlineMs } from './app-timeouts.js';
import { instructionsOf, parseDockerfile } from './dockerfile.js';
import {
  kubectlMissing,
  kustomizations,
  named,
  ofKind,
  render,
  type Container,
  type Deployment,
  type Manifest,
  type PodSpec,
  type Probe,
} from './kustomize.js';
import { podEnv, secretValues } from './pod-env.js';
import { parseYamlStream, repoPath } from './repo-files.js';

const APPS = {
  api: { deployment: 'sharexpress-api', replicas: 3, portVariable: 'PORT' },
  worker: { deployment: 'sharexpress-worker', replicas: 2, portVariable: 'WORKER_PORT' },
} as const;

const imageUid = (() => {
  const runtime = parseDockerfile().stages.at(-1);
  const user = runtime ? instructionsOf(runtime, 'USER').at(-1)?.args : undefined;
  return Number(user?.split(':')[0]);
})();

/** The container port a probe or Service names, as a number. */
function portNumber(container: Container, port: string | number | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

function httpPath(probe: Probe | undefined): string | undefined {
  return probe?.httpGet?.path;
}

/** The container's security setting, the pod's where the container does not say. */
function effective<K extends 'runAsNonRoot' | 'runAsUser' | 'seccompProfile'>(
  pod: PodSpec,
  container: Container,
  key: K,
) {
  return container.securityContext?.[key] ?? pod.securityContext?.[key];
}

function preStopSeconds(container: Container): number {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep) return preStop.sleep.seconds;
  const [cmd, seconds] = preStop?.exec?.command ?? [];
  assert.equal(cmd, 'sleep', `${container.name} pauses before SIGTERM`);
  return Number(seconds);
}

const missing = kubectlMissing();

for (const dir of kustomizations()) {
  describe(`${dir} workloads`, { skip: missing }, () => {
    const manifests = missing === undefined ? render(dir) : [];
    const deployments = ofKind<Deployment>(manifests, 'Deployment');

    for (const [app, expected] of Object.entries(APPS)) {
      const deployment = () => named(deployments, expected.deployment);
      const pod = () => deployment().spec.template.spec;
      const container = () => {
        const [only, ...others] = pod().containers;
        assert.ok(only && others.length === 0, `${expected.deployment} runs one container`);
        return only;
      };
      const envValue = (name: string) => container().env?.find((e) => e.name === name)?.value;
      const configValue = (name: string): string | undefined => {
        const configMaps = ofKind(manifests, 'ConfigMap');
        const ref = container().envFrom?.find((f) => f.configMapRef)?.configMapRef?.name;
        const data = ref ? named(configMaps, ref).data : undefined;
        return envValue(name) ?? data?.[name];
      };

      it(`${app}: ${String(expected.replicas)} replicas of the image's ${app} command`, () => {
        assert.equal(deployment().spec.replicas, expected.replicas);
        assert.deepEqual(container().args, [app]);
      });

      it(`${app}: probes ready on /health/ready, alive on /health/live, with a startup probe`, () => {
        const c = container();
        assert.equal(httpPath(c.readinessProbe), '/health/ready');
        assert.equal(httpPath(c.livenessProbe), '/health/live');
        assert.ok(httpPath(c.startupProbe), 'a startup probe');
        const port = Number(configValue(expected.portVariable));
        for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
          assert.equal(
            portNumber(c, probe?.httpGet?.port),
            port,
            `probes ${expected.portVariable}`,
          );
        }
      });

      it(`${app}: requests CPU and memory and caps memory`, () => {
        const { requests, limits } = container().resources ?? {};
        assert.ok(requests?.cpu && requests.memory && limits?.memory, JSON.stringify(requests));
      });

      it(`${app}: runs non-root, read-only, without capabilities or escalation`, () => {
        const [p, c] = [pod(), container()];
        assert.equal(effective(p, c, 'runAsNonRoot'), true);
        const uid = effective(p, c, 'runAsUser');
        assert.ok(uid === undefined || uid === imageUid, `runAsUser ${String(uid)}: the image's`);
        assert.notEqual(imageUid, 0);
        assert.equal(c.securityContext?.readOnlyRootFilesystem, true);
        assert.equal(c.securityContext?.allowPrivilegeEscalation, false);
        assert.ok(c.securityContext?.capabilities?.drop?.includes('ALL'), 'drops ALL');
        assert.deepEqual(c.securityContext?.capabilities?.add ?? [], []);
        assert.equal(effective(p, c, 'seccompProfile')?.type, 'RuntimeDefault');
        // What it may write goes to emptyDir volumes: /tmp and DATA_DIR.
        for (const path of ['/tmp', configValue('DATA_DIR') ?? '/app/data']) {
          const mount = c.volumeMounts?.find((m) => `${path}/`.startsWith(`${m.mountPath}/`));
          const volume = p.volumes?.find((v) => v.name === mount?.name);
          assert.ok(volume?.emptyDir, `${path} is on an emptyDir`);
        }
      });

      it(`${app}: annotates its metrics port for Prometheus`, () => {
        const annotations = deployment().spec.template.metadata.annotations ?? {};
        assert.equal(annotations['prometheus.io/scrape'], 'true');
        assert.equal(annotations['prometheus.io/path'], '/metrics');
        const metrics = container().ports?.find((p) => p.name === 'metrics')?.containerPort;
        assert.equal(annotations['prometheus.io/port'], String(metrics));
        const served = app === 'api' ? configValue('OPS_PORT') : configValue('WORKER_PORT');
        assert.equal(String(metrics), served, 'the port that serves /metrics');
        if (app === 'api') assert.notEqual(served, configValue('PORT'), 'off the public port');
      });
    }

    it('api: pauses before SIGTERM and outlasts its longest request', () => {
      const api = named(deployments, APPS.api.deployment).spec.template.spec;
      const [container] = api.containers;
      assert.ok(container);
      const pause = preStopSeconds(container) * 1000;
      assert.ok(pause > 0);
      const grace = (api.terminationGracePeriodSeconds ?? 30) * 1000;
      assert.ok(grace > pause + requestTimeoutMs(), `grace ${String(grace)} ms`);
      assert.ok(grace > pause + shutdownDeadlineMs('api'), 'and its own shutdown deadline');
    });

    it('worker: outlasts its own shutdown deadline', () => {
      const worker = named(deployments, APPS.worker.deployment).spec.template.spec;
      const grace = (worker.terminationGracePeriodSeconds ?? 30) * 1000;
      assert.ok(grace > shutdownDeadlineMs('worker'));
    });

    const secretFile = join(repoPath(dir), 'secret.example.yaml');
    it(
      'gives each app an environment its configuration loader accepts',
      {
        skip: dir === 'k8s/base' && 'the base has no installation settings; its overlays are run',
      },
      () => {
        assert.ok(existsSync(secretFile), `${dir} shows its Secret in secret.example.yaml`);
        const [secret] = parseYamlStream(readFileSync(secretFile, 'utf8')) as Manifest[];
        assert.ok(secret?.kind === 'Secret');
        const example = { name: secret.metadata.name, values: secretValues(secret) };
        for (const d of deployments) {
          const pod = d.spec.template.spec;
          for (const container of pod.containers) {
            const env = podEnv(manifests, pod, container, example);
            const loaded = loadRecording(env);
            assert.equal(loaded.config.nodeEnv, 'production', d.metadata.name);
            assert.deepEqual(unreadVariables(env, loaded), [], `${d.metadata.name}: unread`);
            if (d.metadata.name === APPS.api.deployment) {
              // One key for every replica, from the Secret: never one generated per pod.
              assert.ok(loaded.config.auth.privateKeyPem, 'the API signs with the mounted key');
            }
          }
        }
      },
    );
  });
}
