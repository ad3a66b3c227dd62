// What `npm start` prints once everything answers: where each piece listens.
import type { AppConfig } from '@app/config';

export interface BannerInput {
  config: AppConfig;
  mongoUri: string;
  s3Endpoint: string;
  embedded: boolean;
  dataDir: string;
  notes: string[];
}

/** The address a local client uses to reach a server bound to `host`. */
export function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
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
  if (input.embedded) rows.push(['Data', input.dataDir]);
  const lines = [
    input.embedded
      ? 'Sharexpress is running with the embedded devstack (development only, never production).'
      : 'Sharexpress is running against external MongoDB and S3.',
    ...rows.map(([label, value]) => `  ${label.padEnd(15)} ${value}`),
    ...input.notes.map((note) => `  note: ${note}`),
    'Press Ctrl-C to stop.',
  ];
  return lines.join('\n');
}
