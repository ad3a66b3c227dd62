import { useEffect, useState } from 'preact/hooks';
import { serverNow } from '../api/clock';
import { formatRemaining } from './format';

/**
 * The current time on the server's clock (expiry times are the server's, and this device's
 * clock may be minutes off), re-read every `everyMs` while the component is mounted.
 */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    const timer = setInterval(() => setNow(serverNow()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** Milliseconds until an ISO time (0 once it passed), updated every second. */
export function useRemaining(until: string): number {
  const now = useNow();
  const end = Date.parse(until);
  return Number.isNaN(end) ? 0 : Math.max(0, end - now);
}

interface CountdownProps {
  /** ISO time the countdown runs to. */
  until: string;
  /** Text before the clock, e.g. "Ends in". */
  label: string;
  /** Shown instead once the time is up. */
  over: string;
  /** Called once when the time is up. */
  onOver?: () => void;
  class?: string;
}

/**
 * "Ends in 59:58", live. Not a live region on purpose: a screen reader would read it every
 * second; it is read where it stands, like any text.
 */
export function Countdown({ until, label, over, onOver, class: className }: CountdownProps) {
  const left = useRemaining(until);
  useEffect(() => {
    if (left === 0) onOver?.();
  }, [left === 0]);
  return (
    <p class={className ?? 'countdown'}>
      {left === 0 ? over : `${label} ${formatRemaining(left)}`}
    </p>
  );
}
