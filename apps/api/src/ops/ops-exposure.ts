import type { AppConfig } from '@app/config';

type ExposureSettings = Pick<AppConfig, 'nodeEnv' | 'opsPort' | 'docsEnabled'>;

/** What the API serves besides its routes, and where: the startup log's second half. */
export function opsSurface(config: ExposureSettings): string {
  const paths = config.docsEnabled ? '/metrics and /docs' : '/metrics (docs off)';
  return config.opsPort === null
    ? `${paths} on PORT`
    : `${paths} on OPS_PORT ${String(config.opsPort)} only`;
}

/**
 * The warning the API logs at startup in production when /metrics (and the docs) share PORT
 * with the API, so whatever routes PORT to the internet (an Ingress, a proxy) exposes them too.
 * The default stays as it is (one port, nothing to wire for `npm start` or a single container);
 * the deployment files set OPS_PORT.
 */
export function opsExposureWarning(config: ExposureSettings): string | undefined {
  if (config.nodeEnv !== 'production' || config.opsPort !== null) return undefined;
  const what = config.docsEnabled ? '/metrics and /docs are' : '/metrics is';
  return (
    `OPS_PORT is unset: ${what} served on PORT, to every client that reaches it. ` +
    'Set OPS_PORT (e.g. 9464) to serve them on a port of their own that only Prometheus and ' +
    'operators reach.'
  );
}
