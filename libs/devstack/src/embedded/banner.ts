// What `npm start` prints once everything answers: where each piece listens.
import type { AppConfig } from '@app/config';
import { isLoopbackHost, reachableHost, urlHost } from './hosts.js';

export { reachableHost } from './hosts.js';

export interface BannerInput {
  config: AppConfig;
  mongoUri: string;
  /** The endpoint the apps use. */
  s3Endpoint: string;
  /** The endpoint presigned URLs name, when it may differ from `s3Endpoint`. */
  s3PublicEndpoint?: string;
  /** Where the devstack S3 listens (embedded mode). */
  s3Bind?: { host: string; port: number };
  embedded: boolean;
  dataDir: string;
  notes: string[];
}

function withoutCredentials(uri: string): string {
  return uri.replace(/\/\/[^/@]*@/, '//***@');
}

export function renderBanner(input: BannerInput): string {
  const { config } = input;
  const host =
    reachableHost(config.host) === '127.0.0.1' ? 'localhost' : reachableHost(config.host);
  const api = `http://${host}:${String(config.port)}`;
  const worker = `http://${host}:${String(config.workerPort)}`;
  // With OPS_PORT set, the API serves /metrics and the docs there only.
  const ops = config.opsPort === null ? api : `http://${host}:${String(config.opsPort)}`;
  const rows: [string, string][] = [
    ['API', api],
    ...(config.docsEnabled ? [['API docs', `${ops}/docs`] as [string, string]] : []),
    ['API health', `${api}/health/ready`],
    ['API metrics', `${ops}/metrics`],
    ['Worker health', `${worker}/health/ready`],
    ['Worker metrics', `${worker}/metrics`],
    ['Public URL', config.publicUrl],
    ['MongoDB', withoutCredentials(input.mongoUri)],
    ['S3', `${input.s3Endpoint} (bucket ${config.s3.bucket}, region ${config.s3.region})`],
  ];
  const { s3PublicEndpoint, s3Bind } = input;
  if (s3PublicEndpoint !== undefined && s3PublicEndpoint !== input.s3Endpoint) {
    rows.push(['S3 for browsers', s3PublicEndpoint]);
  }
  if (s3Bind !== undefined) {
    rows.push(['S3 listens on', `${urlHost(s3Bind.host)}:${String(s3Bind.port)}`]);
  }
  if (input.embedded) rows.push(['Data', input.dataDir]);
  const exposed = s3Bind !== undefined && !isLoopbackHost(s3Bind.host);
  const lines = [
    input.embedded
      ? 'Sharexpress is running with the embedded devstack (development only, never production).'
      : 'Sharexpress is running against external MongoDB and S3.',
    ...rows.map(([label, value]) => `  ${label.padEnd(15)} ${value}`),
    ...input.notes.map((note) => `  note: ${note}`),
    ...(exposed
      ? [
          `  warning: the devstack S3 listens on ${urlHost(s3Bind.host)}, reachable from the network: it is an unhardened development double, keep it on a trusted network`,
        ]
      : []),
    'Press Ctrl-C to stop.',
  ];
  return lines.join('\n');
}
