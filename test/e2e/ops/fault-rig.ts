// One fault scenario's moving parts: a TCP fault proxy in front of a backend, and the API and
// the worker (its real modules plus the test-only storage route) wired through it, each with a
// readiness prober. Shared by the MongoDB and the storage fault tests.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@app/config';
import type { TestBackends } from '../../support/backends.js';
import {
  startFaultProxy,
  type FaultProxy,
  type FaultProxyTarget,
} from '../../support/fault-proxy.js';
import { dropDatabase, startTestApp, testEnv, type TestApp } from '../../support/test-app.js';
import { ReadinessProber } from './fault-scenario.js';
import { startStorageProbeApp, type StorageProbeApp } from './storage-probe-app.js';

export interface FaultRig {
  proxy: FaultProxy;
  api: TestApp;
  worker: StorageProbeApp;
  probers: ReadinessProber[];
  /** Stops the probers, both apps and the proxy, and removes what the rig created. */
  stop(): Promise<void>;
}

export interface FaultRigOptions {
  /** Where the proxy forwards to (`targetOf(url)`). */
  target: FaultProxyTarget;
  /** Settings both apps get on top of the test defaults, given the running proxy. */
  env(proxy: FaultProxy): Record<string, string>;
  /** Databases to drop (by a direct URI, not through the proxy) when the rig stops. */
  databases?: string[];
}

/**
 * Starts a rig; a half-started one is torn down at once, since a leaked app would keep the
 * devstack (and so the whole test process) from ever stopping.
 */
export async function startFaultRig(
  backends: TestBackends,
  options: FaultRigOptions,
): Promise<FaultRig> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanUp = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  for (const uri of options.databases ?? []) cleanups.push(() => dropDatabase(uri));
  try {
    const proxy = await startFaultProxy(options.target);
    cleanups.push(() => proxy.close());
    const env = options.env(proxy);
    const api = await startTestApp({ backends, env });
    cleanups.push(() => api.close());
    const dataDir = await mkdtemp(join(tmpdir(), 'sx-fault-rig-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const workerConfig = loadConfig({ ...testEnv(backends, dataDir), ...env });
    // The worker's own database (when env gives none) is dropped on a real MongoDB.
    if (env.MONGODB_URI === undefined && backends.external.mongo) {
      cleanups.push(() => dropDatabase(workerConfig.mongo.uri));
    }
    const worker = await startStorageProbeApp(workerConfig);
    cleanups.push(() => worker.close());
    const probers = [
      new ReadinessProber('api', `${api.baseUrl}/health/ready`),
      new ReadinessProber('worker', `${worker.baseUrl}/health/ready`),
    ];
    cleanups.push(async () => {
      for (const p of probers) await p.stop();
    });
    return { proxy, api, worker, probers, stop: cleanUp };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}
