// The connection settings the apps get when they run on the embedded devstack, as an operator
// would write them: where they reach MongoDB and S3 from this machine, and, unless the operator
// set S3_PUBLIC_ENDPOINT, the S3 address presigned URLs name for browsers and phones.
import { reachableHost } from './hosts.js';
import type { DevstackPlan } from './launch-plan.js';
import type { RunningDevstack } from './devstack-runner.js';

export interface DevstackAppEnv {
  MONGODB_URI: string;
  S3_ENDPOINT: string;
  /** Only when it differs from S3_ENDPOINT (the apps' own default). */
  S3_PUBLIC_ENDPOINT?: string;
  S3_REGION: string;
  S3_ACCESS_KEY_ID: string;
  S3_SECRET_ACCESS_KEY: string;
}

interface Running {
  mongo: Pick<RunningDevstack['mongo'], 'uri'>;
  s3: Pick<RunningDevstack['s3'], 'port' | 'region' | 'credentials'>;
  s3Host: string;
}

export function devstackAppEnv(
  plan: Pick<DevstackPlan, 's3PublicHost'>,
  devstack: Running,
): DevstackAppEnv {
  const { s3 } = devstack;
  const port = String(s3.port);
  // A wildcard bind (0.0.0.0, ::) is no address to connect to: the apps use loopback.
  const endpoint = `http://${reachableHost(devstack.s3Host)}:${port}`;
  const publicEndpoint =
    plan.s3PublicHost === undefined ? undefined : `http://${plan.s3PublicHost}:${port}`;
  return {
    MONGODB_URI: `${devstack.mongo.uri}/sharexpress`,
    S3_ENDPOINT: endpoint,
    ...(publicEndpoint !== undefined && publicEndpoint !== endpoint
      ? { S3_PUBLIC_ENDPOINT: publicEndpoint }
      : {}),
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
  };
}
