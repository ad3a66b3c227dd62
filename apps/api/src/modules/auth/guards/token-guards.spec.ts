import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExecutionContext } from '@nestjs/common';
import { DEVICE_AUDIENCE, USER_AUDIENCE } from '../tokens/token-claims.js';
import { AnyTokenGuard, type DeviceTokenGuard, type UserTokenGuard } from './token-guards.js';

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = (aud: unknown) => `${part({ alg: 'RS256' })}.${part({ aud })}.sig`;

const contextWith = (authorization: string | undefined): ExecutionContext =>
  ({
    switchToHttp: () => ({
      getRequest: () => ({ headers: authorization === undefined ? {} : { authorization } }),
      getResponse: () => ({}),
    }),
  }) as unknown as ExecutionContext;

// Which of the two strategy guards AnyTokenGuard hands a request to.
function chosenFor(authorization: string | undefined): 'user' | 'device' {
  let chosen: 'user' | 'device' | undefined;
  const fake = (kind: 'user' | 'device') => ({
    canActivate: () => {
      chosen = kind;
      return Promise.resolve(true);
    },
  });
  const guard = new AnyTokenGuard(
    fake('user') as unknown as UserTokenGuard,
    fake('device') as unknown as DeviceTokenGuard,
  );
  void guard.canActivate(contextWith(authorization));
  assert.ok(chosen !== undefined, 'one of the guards ran');
  return chosen;
}

describe('AnyTokenGuard', () => {
  it('hands a token claiming the device audience to the device strategy only', () => {
    assert.equal(chosenFor(`Bearer ${token(DEVICE_AUDIENCE)}`), 'device');
    assert.equal(chosenFor(`bearer ${token([DEVICE_AUDIENCE])}`), 'device');
  });

  it('hands everything else to the user strategy, which refuses what is not its own', () => {
    for (const authorization of [
      `Bearer ${token(USER_AUDIENCE)}`,
      // The user strategy accepted a token naming both audiences before; it still gets it.
      `Bearer ${token([USER_AUDIENCE, DEVICE_AUDIENCE])}`,
      `Bearer ${token('sharexpress:other')}`,
      `Bearer ${token(undefined)}`,
      'Bearer not-a-token',
      `Basic ${token(DEVICE_AUDIENCE)}`,
      undefined,
    ]) {
      assert.equal(chosenFor(authorization), 'user', String(authorization));
    }
  });
});
