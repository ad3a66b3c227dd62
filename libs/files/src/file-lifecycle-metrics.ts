import { Injectable } from '@nestjs/common';
import { Counter, register } from 'prom-client';
import type { UploadMode } from './upload-mode.js';

/**
 * Why a file was rejected: the `reason` label of sharexpress_uploads_rejected_total. `abandoned`:
 * the upload window passed before the upload was completed (the worker's sweep).
 */
export const REJECT_REASONS = [
  'size',
  'checksum',
  'content',
  'missing',
  'verification',
  'abandoned',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

const COMPLETED_NAME = 'sharexpress_uploads_completed_total';
const REJECTED_NAME = 'sharexpress_uploads_rejected_total';
const VERIFIED_NAME = 'sharexpress_bytes_verified_total';

/**
 * A counter on prom-client's default registry, reused by name: several apps in one process
 * (tests, an API and a worker side by side) build these providers, and prom-client throws on a
 * duplicate registration.
 */
export function sharedCounter<L extends string>(
  name: string,
  help: string,
  labelNames: L[] = [],
): Counter<L> {
  const existing = register.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter({ name, help, labelNames });
}

/** Counters of the lifecycle steps the API (single uploads) and the worker (multipart) share. */
@Injectable()
export class FileLifecycleMetrics {
  private readonly completed = sharedCounter(
    COMPLETED_NAME,
    'Uploads proven intact and made ready, by mode',
    ['mode'],
  );
  private readonly rejected = sharedCounter(
    REJECTED_NAME,
    'Uploads rejected (object deleted, reservations released), by what did not match',
    ['reason'],
  );
  private readonly verified = sharedCounter(
    VERIFIED_NAME,
    'Bytes of uploads whose size and SHA-256 storage or the read-back proved',
  );

  constructor() {
    for (const mode of ['single', 'multipart'] as const) this.completed.inc({ mode }, 0);
    for (const reason of REJECT_REASONS) this.rejected.inc({ reason }, 0);
  }

  accepted(mode: UploadMode, bytes: number): void {
    this.completed.inc({ mode });
    this.verified.inc(bytes);
  }

  rejectedFor(reason: RejectReason): void {
    this.rejected.inc({ reason });
  }
}
