import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { opsExposureWarning, opsSurface } from './ops-exposure.js';

describe('ops exposure', () => {
  it('warns in production when /metrics shares PORT, naming OPS_PORT', () => {
    const warning = opsExposureWarning({ nodeEnv: 'production', opsPort: null, docsEnabled: true });
    assert.match(warning ?? '', /OPS_PORT is unset: \/metrics and \/docs are served on PORT/);
    const docsOff = opsExposureWarning({
      nodeEnv: 'production',
      opsPort: null,
      docsEnabled: false,
    });
    assert.match(docsOff ?? '', /\/metrics is served on PORT/);
  });

  it('is silent with OPS_PORT set, and outside production', () => {
    assert.equal(
      opsExposureWarning({ nodeEnv: 'production', opsPort: 9464, docsEnabled: true }),
      undefined,
    );
    assert.equal(
      opsExposureWarning({ nodeEnv: 'development', opsPort: null, docsEnabled: true }),
      undefined,
    );
  });

  it('says where the ops surface is served', () => {
    assert.equal(
      opsSurface({ nodeEnv: 'production', opsPort: 9464, docsEnabled: true }),
      '/metrics and /docs on OPS_PORT 9464 only',
    );
    assert.equal(
      opsSurface({ nodeEnv: 'development', opsPort: null, docsEnabled: false }),
      '/metrics (docs off) on PORT',
    );
  });
});
