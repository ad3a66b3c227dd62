import type { Type } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';

/** A Terminus-style indicator (e.g. DatabaseHealthIndicator, StorageHealthIndicator). */
export interface ReadinessIndicator {
  isHealthy(key: string): Promise<HealthIndicatorResult>;
}

/** One `/health/ready` entry: its key in the Terminus response and the indicator class. */
export interface ReadinessCheck {
  key: string;
  indicator: Type<ReadinessIndicator>;
}

export interface ReadinessProbe {
  key: string;
  indicator: ReadinessIndicator;
}

export const READINESS_PROBES = Symbol('READINESS_PROBES');

/** Whatever an indicator does, `/health/ready` answers within this bound. */
export const READINESS_TIMEOUT_MS = 2500;
/** Sent as Retry-After when not ready. */
export const NOT_READY_RETRY_AFTER_SECONDS = 5;
