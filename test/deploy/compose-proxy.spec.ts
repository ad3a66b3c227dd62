// docker-compose.yml's edge: nginx in front of the two API replicas. It must reach exactly the
// replicas' API port, tell them the client's address, and be the only way in, so that the
// replicas' TRUST_PROXY (believe X-Forwarded-For from the proxy's network) cannot be abused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadCompose, service } from './compose-file.js';
import { isRecord, listAt, readRepoFile, recordAt } from './repo-files.js';

const compose = loadCompose();
const apis = [...compose.services.values()].filter(
  (s) => s.raw.image === 'sharexpress:local' && s.command[0] === 'api',
);
const proxy = service(compose, 'proxy');
const confMount = proxy.volumes.find((v) => v.target === '/etc/nginx/conf.d/default.conf');
const conf = readRepoFile(
  confMount?.source.replace(/^\.\//, '') ?? 'deploy/nginx/sharexpress.conf',
);

/** `name value;` directives of nginx's config (comments dropped). */
const directives = (name: string): string[] =>
  [...conf.replace(/#.*$/gm, '').matchAll(new RegExp(`^\\s*${name}\\s+([^;]+);`, 'gm'))].map((m) =>
    (m[1] ?? '').trim(),
  );

describe('the reverse proxy', () => {
  it('is nginx with deploy/nginx/sharexpress.conf as its server', () => {
    assert.match(String(proxy.raw.image), /^nginx:\d/);
    assert.ok(confMount?.readOnly, 'the config is mounted read-only');
  });

  it('sends requests to both API replicas on their API port, never their ops port', () => {
    const upstream = /upstream\s+(\S+)\s*\{([^}]*)\}/.exec(conf);
    assert.ok(upstream, 'an upstream block');
    const [, name = '', body = ''] = upstream;
    const servers = [...body.matchAll(/^\s*server\s+([^\s;]+)/gm)].map((m) => m[1]).sort();
    const expected = apis.map((s) => `${s.name}:${s.environment.PORT ?? ''}`).sort();
    assert.deepEqual(servers, expected);
    for (const s of apis) assert.ok(!body.includes(`:${s.environment.OPS_PORT ?? '-'}`));
    assert.deepEqual(directives('proxy_pass'), [`http://${name}`]);
  });

  it("replaces X-Forwarded-For with the client's address", () => {
    const xff = directives('proxy_set_header')
      .map((d) => d.split(/\s+/))
      .filter(([header]) => header?.toLowerCase() === 'x-forwarded-for');
    assert.deepEqual(xff, [['X-Forwarded-For', '$remote_addr']]);
  });

  it("has the replicas trust X-Forwarded-For from the proxy's network only", () => {
    assert.ok(proxy.networks.length === 1, 'the proxy is on one network');
    const [edge = ''] = proxy.networks;
    const networks = recordAt(compose.raw, 'networks', 'docker-compose.yml');
    const ipam = recordAt(networks[edge], 'ipam', `network ${edge}`);
    const subnet = listAt(ipam, 'config').map((c) => (isRecord(c) ? c.subnet : undefined));
    assert.equal(subnet.length, 1);
    for (const s of apis) {
      assert.ok(s.networks.includes(edge), `${s.name} is on ${edge}`);
      assert.equal(s.environment.TRUST_PROXY, subnet[0], `${s.name} TRUST_PROXY`);
    }
    // Nothing but the proxy and the replicas sends from that network.
    const onEdge = [...compose.services.values()].filter((s) => s.networks.includes(edge));
    assert.deepEqual(
      onEdge.map((s) => s.name).sort(),
      ['proxy', ...apis.map((s) => s.name)].sort(),
    );
  });

  it('is the only way to the API port; the ops ports stay on loopback', () => {
    for (const s of apis) {
      const api = s.ports.filter((p) => p.containerPort === s.environment.PORT);
      assert.deepEqual(api, [], `${s.name} publishes its API port past the proxy`);
      for (const p of s.ports) {
        assert.equal(p.containerPort, s.environment.OPS_PORT, `${s.name}: ${p.containerPort}`);
        assert.equal(p.hostIp, '127.0.0.1', `${s.name}'s ops port is for this machine only`);
      }
    }
    const listen = directives('listen');
    assert.deepEqual(listen, ['80']);
    const published = proxy.ports.find((p) => p.containerPort === listen[0]);
    assert.ok(published, 'the proxy publishes the port nginx listens on');
    const publicUrl = new URL(apis[0]?.environment.PUBLIC_URL ?? '');
    assert.equal(publicUrl.port, published.hostPort, 'PUBLIC_URL is the proxy');
  });
});
