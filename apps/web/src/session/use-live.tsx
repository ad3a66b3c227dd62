import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../api/client';
import { subscribe, type LiveStatus as StreamStatus } from '../api/live';
import type { ActivityEvent } from '../api/types';

/** The stream's status, or `offline`: it was refused for good while the session goes on. */
export type LiveStatus = StreamStatus | 'offline';
/** What a screen refetches: the session itself, its devices, its files. */
export type Part = 'session' | 'devices' | 'files';
export const ALL_PARTS: readonly Part[] = ['session', 'devices', 'files'];

/** The parts an event changes. */
export function partsChangedBy(type: string): Part[] {
  if (type === 'session.purged') return ['session', 'files'];
  if (type.startsWith('session.')) return ['session'];
  if (type.startsWith('device.')) return ['devices', 'session'];
  if (type.startsWith('file.')) return ['files', 'session'];
  return [];
}

// Events come in bursts (declare, ready, downloaded): one refetch per burst, still well under
// the two seconds a new file may take to show.
const DEBOUNCE_MS = 150;
// While the stream is down, lists are read this often so the screen does not go stale.
const FALLBACK_POLL_MS = 10_000;
// After the stream ended for good on a session still shown as active: until the view knows
// better (the session ended, the sign-in is over), its lists are still read now and then.
const OFFLINE_POLL_MS = 30_000;

interface LiveOptions {
  /** Off once the session has ended: nothing to listen to. */
  enabled: boolean;
  refetch: (parts: ReadonlySet<Part>) => void;
  onEvent?(event: ActivityEvent): void;
  /** A terminal end of the stream (session_closed, session_expired, device_revoked, …). */
  onEnd: (reason: string) => void;
}

/**
 * Listens to the session's events and refetches what they change, debounced. Lists are never
 * polled while the stream is live; every FALLBACK_POLL_MS while it reconnects.
 */
export function useLive(api: Api, sessionId: string, options: LiveOptions): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const latest = useRef(options);
  latest.current = options;

  useEffect(() => {
    if (!options.enabled) return undefined;
    const pending = new Set<Part>();
    let debounce: ReturnType<typeof setTimeout> | undefined;
    let fallback: ReturnType<typeof setInterval> | undefined;
    const flush = (): void => {
      debounce = undefined;
      const parts = new Set(pending);
      pending.clear();
      latest.current.refetch(parts);
    };
    const queue = (parts: readonly Part[]): void => {
      parts.forEach((part) => pending.add(part));
      if (debounce === undefined && pending.size > 0) debounce = setTimeout(flush, DEBOUNCE_MS);
    };
    const stopFallback = (): void => {
      if (fallback !== undefined) clearInterval(fallback);
      fallback = undefined;
    };
    const unsubscribe = subscribe(api, sessionId, {
      onEvent(event) {
        latest.current.onEvent?.(event);
        queue(partsChangedBy(event.type));
      },
      onEnd(reason) {
        stopFallback();
        // If the session ended, the refetch the caller does turns `enabled` off and this effect
        // goes; if not, the indicator must not keep saying "Live", and the lists go on.
        setStatus('offline');
        fallback = setInterval(() => queue(ALL_PARTS), OFFLINE_POLL_MS);
        latest.current.onEnd(reason);
      },
      onStatus(next) {
        setStatus(next);
        if (next === 'live') {
          stopFallback();
          // What changed between the first load and the stream's start, or while it was down.
          queue(ALL_PARTS);
        } else if (next === 'reconnecting' && fallback === undefined) {
          fallback = setInterval(() => queue(ALL_PARTS), FALLBACK_POLL_MS);
        }
      },
    });
    return () => {
      unsubscribe();
      stopFallback();
      if (debounce !== undefined) clearTimeout(debounce);
    };
  }, [api, sessionId, options.enabled]);

  return status;
}

const INDICATOR_TEXT: Record<LiveStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/** The role="status" indicator: "Live", "Reconnecting…" or "Offline". */
export function LiveIndicator({ status }: { status: LiveStatus }) {
  const text = INDICATOR_TEXT[status];
  return (
    <p role="status" class={`live-indicator live-${status}`}>
      <span class="live-dot" aria-hidden="true" />
      {text}
    </p>
  );
}
