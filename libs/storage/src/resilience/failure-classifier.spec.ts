import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NoSuchKey, NoSuchUpload, S3ServiceException } from '@aws-sdk/client-s3';
import { BrokenCircuitError, TaskCancelledError } from 'cockatiel';
import { StorageCredentialsError } from '../credentials/refreshing-credentials.js';
import { classifyOutcome, isInfrastructureFailure } from './failure-classifier.js';

const meta = (httpStatusCode: number) => ({ httpStatusCode });
const service = (name: string, status: number) =>
  new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: meta(status),
  });

describe('failure classification', () => {
  const cases: [string, unknown, boolean, string][] = [
    ['NoSuchKey', new NoSuchKey({ message: 'x', $metadata: meta(404) }), false, 'not_found'],
    ['NoSuchUpload', new NoSuchUpload({ message: 'x', $metadata: meta(404) }), false, 'not_found'],
    ['HEAD 404 (no body)', service('NotFound', 404), false, 'not_found'],
    ['403 AccessDenied', service('AccessDenied', 403), false, 'client_error'],
    ['412 PreconditionFailed', service('PreconditionFailed', 412), false, 'client_error'],
    ['500 InternalError', service('InternalError', 500), true, 'server_error'],
    ['503 SlowDown', service('SlowDown', 503), true, 'server_error'],
    ['501 NotImplemented', service('NotImplemented', 501), false, 'client_error'],
    [
      'ECONNREFUSED',
      Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
      true,
      'server_error',
    ],
    [
      'wrapped ECONNRESET',
      new Error('fetch failed', {
        cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
      }),
      true,
      'server_error',
    ],
    ['SDK TimeoutError', Object.assign(new Error('t'), { name: 'TimeoutError' }), true, 'timeout'],
    ['deadline', new TaskCancelledError(), true, 'timeout'],
    ['circuit open', new BrokenCircuitError(), false, 'circuit_open'],
    [
      'no credentials (STS unreachable)',
      new StorageCredentialsError('Could not obtain storage credentials: refused'),
      true,
      'server_error',
    ],
    [
      'no credentials, wrapped by the SDK',
      new Error('signing failed', { cause: new StorageCredentialsError('expired') }),
      true,
      'server_error',
    ],
  ];
  for (const [label, err, infra, outcome] of cases) {
    it(`${label} → ${infra ? 'infrastructure failure' : 'healthy answer'}, ${outcome}`, () => {
      assert.equal(isInfrastructureFailure(err), infra);
      assert.equal(classifyOutcome(err), outcome);
    });
  }
});
