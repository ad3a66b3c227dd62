import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DevicePrincipal } from '@app/common';
import { DeviceAccessRegistry } from './device-access.registry.js';

const device: DevicePrincipal = {
  kind: 'device',
  deviceId: 'd-1',
  sessionId: 's-1',
  permissions: [],
};

describe('DeviceAccessRegistry', () => {
  it('refuses every device token until a check is registered', async () => {
    assert.equal(await new DeviceAccessRegistry().isActive(device), false);
  });

  it('asks the registered check on every call and lets its failure through', async () => {
    const registry = new DeviceAccessRegistry();
    const answers = [true, false];
    const asked: string[] = [];
    registry.register((d) => {
      asked.push(d.deviceId);
      const next = answers.shift();
      return next === undefined ? Promise.reject(new Error('store down')) : Promise.resolve(next);
    });
    assert.equal(await registry.isActive(device), true);
    assert.equal(await registry.isActive(device), false);
    await assert.rejects(registry.isActive(device), /store down/);
    assert.deepEqual(asked, ['d-1', 'd-1', 'd-1']);
  });
});
