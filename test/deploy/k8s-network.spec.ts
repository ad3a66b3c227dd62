// What surrounds the Deployments every kustomization under k8s/ renders: the Ingress reaches
// the API's public port only, the autoscaler and disruption budgets fit the replica counts, the
// NetworkPolicies deny by default, and the namespace enforces the restricted Pod Security level.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  kubectlMissing,
  kustomizations,
  named,
  ofKind,
  render,
  selects,
  type Container,
  type Deployment,
  type Manifest,
} from './kustomize.js';

interface ServiceSpec {
  selector: Record<string, string>;
  clusterIP?: string;
  ports: { name?: string; port: number; targetPort: string | number }[];
}
interface IngressBackend {
  service: { name: string; port: { name?: string; number?: number } };
}
interface IngressSpec {
  rules: { http: { paths: { backend: IngressBackend }[] } }[];
  defaultBackend?: IngressBackend;
}
interface Peer {
  namespaceSelector?: { matchLabels?: Record<string, string> };
  podSelector?: { matchLabels?: Record<string, string> };
  ipBlock?: { cidr: string };
}
interface PolicySpec {
  podSelector: { matchLabels?: Record<string, string> };
  policyTypes: string[];
  ingress?: { from?: Peer[]; ports?: { port: string | number; protocol?: string }[] }[];
  egress?: { to?: Peer[]; ports?: { port: string | number; protocol?: string }[] }[];
}

const spec = <T>(m: Manifest): T => m.spec as T;
const missing = kubectlMissing();

for (const dir of kustomizations()) {
  describe(`${dir} around the workloads`, { skip: missing }, () => {
    const manifests = missing === undefined ? render(dir) : [];
    const deployments = ofKind<Deployment>(manifests, 'Deployment');
    const api = () => named(deployments, 'sharexpress-api');
    const apiContainer = (): Container => {
      const [c] = api().spec.template.spec.containers;
      assert.ok(c);
      return c;
    };
    const apiPort = (name: string) => apiContainer().ports?.find((p) => p.name === name);

    it('renders every object an installation needs', () => {
      const kinds = manifests.map((m) => m.kind);
      const count = (kind: string) => kinds.filter((k) => k === kind).length;
      for (const kind of ['Namespace', 'ServiceAccount', 'ConfigMap', 'Service', 'Ingress']) {
        assert.ok(count(kind) >= 1, kind);
      }
      assert.equal(count('Deployment'), 2);
      assert.equal(count('HorizontalPodAutoscaler'), 1);
      assert.equal(count('PodDisruptionBudget'), 2);
      assert.ok(count('NetworkPolicy') >= 2);
      assert.equal(
        count('Secret'),
        0,
        'the Secret is created out of band, never applied from here',
      );
    });

    it('routes the Ingress to the API port, never to the ops port', () => {
      const ingresses = ofKind(manifests, 'Ingress');
      assert.equal(ingresses.length, 1);
      const services = ofKind(manifests, 'Service');
      const backends = ingresses.flatMap((i) => {
        const s = spec<IngressSpec>(i);
        return [...s.rules.flatMap((r) => r.http.paths.map((p) => p.backend)), s.defaultBackend];
      });
      for (const backend of backends.filter((b) => b !== undefined)) {
        const service = spec<ServiceSpec>(named(services, backend.service.name));
        assert.ok(selects(service.selector, api().spec.template.metadata.labels));
        const port = service.ports.find(
          (p) => p.name === backend.service.port.name || p.port === backend.service.port.number,
        );
        assert.ok(port, `${backend.service.name} has the Ingress's port`);
        const target =
          typeof port.targetPort === 'number'
            ? port.targetPort
            : apiPort(port.targetPort)?.containerPort;
        assert.equal(target, apiPort('http')?.containerPort);
        assert.notEqual(target, apiPort('metrics')?.containerPort);
      }
    });

    it('exposes the ops port through no load-balanced Service', () => {
      for (const s of ofKind(manifests, 'Service')) {
        const { selector, clusterIP, ports } = spec<ServiceSpec>(s);
        if (!selects(selector, api().spec.template.metadata.labels)) continue;
        const toOps = ports.some(
          (p) => p.targetPort === 'metrics' || p.targetPort === apiPort('metrics')?.containerPort,
        );
        assert.ok(!toOps || clusterIP === 'None', `${s.metadata.name} balances the ops port`);
      }
    });

    it('scales the API from its replica count and keeps most of it through disruptions', () => {
      const [hpa] = ofKind(manifests, 'HorizontalPodAutoscaler');
      assert.ok(hpa);
      const h = spec<{
        scaleTargetRef: { kind: string; name: string };
        minReplicas: number;
        maxReplicas: number;
      }>(hpa);
      assert.deepEqual(
        [h.scaleTargetRef.kind, h.scaleTargetRef.name],
        ['Deployment', 'sharexpress-api'],
      );
      assert.equal(h.minReplicas, api().spec.replicas);
      assert.ok(h.maxReplicas > h.minReplicas);
      for (const d of deployments) {
        const pdbs = ofKind(manifests, 'PodDisruptionBudget').filter((p) =>
          selects(
            spec<{ selector: { matchLabels: Record<string, string> } }>(p).selector.matchLabels,
            d.spec.template.metadata.labels,
          ),
        );
        assert.equal(pdbs.length, 1, `${d.metadata.name} has one PodDisruptionBudget`);
        const { maxUnavailable, minAvailable } = spec<{
          maxUnavailable?: number;
          minAvailable?: number;
        }>(pdbs[0] ?? assert.fail('no PodDisruptionBudget'));
        const allowed = maxUnavailable ?? d.spec.replicas - (minAvailable ?? d.spec.replicas);
        assert.ok(
          allowed >= 1 && allowed < d.spec.replicas,
          `${d.metadata.name}: ${String(allowed)}`,
        );
      }
    });

    it('denies all traffic by default and opens only what the apps need', () => {
      const policies = ofKind(manifests, 'NetworkPolicy').map((p) => spec<PolicySpec>(p));
      const denyAll = policies.find(
        (p) =>
          Object.keys(p.podSelector.matchLabels ?? {}).length === 0 &&
          p.policyTypes.includes('Ingress') &&
          p.policyTypes.includes('Egress') &&
          (p.ingress ?? []).length === 0 &&
          (p.egress ?? []).length === 0,
      );
      assert.ok(denyAll, 'a default-deny policy for every pod');
      const apiLabels = api().spec.template.metadata.labels;
      const ingress = policies
        .filter((p) => selects(p.podSelector.matchLabels ?? {}, apiLabels))
        .flatMap((p) => p.ingress ?? []);
      const opening = (port: string) =>
        ingress.filter((r) => r.ports?.some((p) => p.port === port));
      // The public port from the ingress controller's namespace, the ops port from monitoring.
      const publicPeers = opening('http').flatMap((r) => r.from ?? []);
      assert.ok(
        publicPeers.length > 0 && publicPeers.every((p) => p.namespaceSelector && !p.ipBlock),
      );
      const opsPeers = opening('metrics').flatMap((r) => r.from ?? []);
      assert.deepEqual(
        opsPeers.map((p) => p.namespaceSelector?.matchLabels),
        [{ 'kubernetes.io/metadata.name': 'monitoring' }],
      );
      assert.ok(
        ingress.every((r) => (r.from ?? []).length > 0),
        'no rule open to everyone',
      );
      for (const d of deployments) {
        const egress = policies
          .filter((p) => selects(p.podSelector.matchLabels ?? {}, d.spec.template.metadata.labels))
          .flatMap((p) => p.egress ?? [])
          .flatMap((r) => (r.ports ?? []).map((p) => `${p.protocol ?? 'TCP'}/${String(p.port)}`));
        for (const needed of ['UDP/53', 'TCP/53', 'TCP/27017', 'TCP/443']) {
          assert.ok(egress.includes(needed), `${d.metadata.name} may reach ${needed}`);
        }
      }
    });

    it('puts everything in a namespace that enforces restricted Pod Security', () => {
      const [namespace] = ofKind(manifests, 'Namespace');
      assert.ok(namespace);
      assert.equal(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
      for (const m of manifests.filter((x) => x.kind !== 'Namespace')) {
        assert.equal(m.metadata.namespace, namespace.metadata.name, `${m.kind} ${m.metadata.name}`);
      }
      const accounts = ofKind(manifests, 'ServiceAccount').map((a) => a.metadata.name);
      for (const d of deployments) {
        assert.ok(accounts.includes(d.spec.template.spec.serviceAccountName ?? 'default'));
      }
    });
  });
}
