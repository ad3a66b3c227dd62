import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Counter, Gauge, register } from 'prom-client';
import { DeviceRepository } from '@app/database';

const CREATED_NAME = 'sharexpress_pairings_created_total';
const CLAIMS_NAME = 'sharexpress_pairing_claims_total';
const FAILED_NAME = 'sharexpress_pairing_claims_failed_total';
const ACTIVE_NAME = 'sharexpress_devices_active';

export const CLAIM_OUTCOMES = ['active', 'pending', 'invalid', 'full', 'inactive'] as const;
export type ClaimOutcome = (typeof CLAIM_OUTCOMES)[number];
const FAILED_OUTCOMES: ReadonlySet<ClaimOutcome> = new Set(['invalid', 'full', 'inactive']);

// The gauge asks the newest live app's repository (several test apps may share one process and
// prom-client's default registry); an app that closes takes its source with it.
const activeSources: (() => Promise<number>)[] = [];

function counter<L extends string>(name: string, help: string, labelNames: L[] = []): Counter<L> {
  const existing = register.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter({ name, help, labelNames });
}

function activeGauge(logger: Logger): Gauge {
  const existing = register.getSingleMetric(ACTIVE_NAME);
  if (existing) return existing as Gauge;
  return new Gauge({
    name: ACTIVE_NAME,
    help: 'Active devices of live sessions',
    async collect() {
      const source = activeSources.at(-1);
      if (source === undefined) return;
      try {
        this.set(await source());
      } catch (err) {
        // A failing count must not fail the whole scrape: keep the last value.
        logger.warn(`${ACTIVE_NAME}: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  });
}

/** Pairing and device metrics on prom-client's default registry. */
@Injectable()
export class PairingMetrics implements OnModuleDestroy {
  private readonly logger = new Logger(PairingMetrics.name);
  private readonly created = counter(CREATED_NAME, 'Pairings created');
  private readonly claims = counter(CLAIMS_NAME, 'Pairing claims by outcome', ['outcome']);
  private readonly failed = counter(
    FAILED_NAME,
    'Pairing claims refused (unknown, spent or expired secret or code; full or inactive session)',
  );
  private readonly source = (): Promise<number> => this.devices.countActive(new Date());

  constructor(private readonly devices: DeviceRepository) {
    for (const outcome of CLAIM_OUTCOMES) this.claims.inc({ outcome }, 0);
    activeGauge(this.logger);
    activeSources.push(this.source);
  }

  pairingCreated(): void {
    this.created.inc();
  }

  claim(outcome: ClaimOutcome): void {
    this.claims.inc({ outcome });
    if (FAILED_OUTCOMES.has(outcome)) this.failed.inc();
  }

  onModuleDestroy(): void {
    const index = activeSources.indexOf(this.source);
    if (index >= 0) activeSources.splice(index, 1);
  }
}
