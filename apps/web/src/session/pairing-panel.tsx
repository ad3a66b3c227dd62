import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../api/client';
import type { Pairing } from '../api/types';
import { ErrorAlert } from '../ui/error-alert';
import { useRemaining } from './countdown';
import { formatRemaining } from './format';

interface PairingPanelProps {
  api: Api;
  sessionId: string;
  /** Bumped on every device.claimed event: the code on screen may be spent, show a fresh one. */
  claims: number;
}

interface Shown {
  pairing: Pairing;
  /** Object URL of the QR code's SVG (revoked when replaced). */
  qr: string;
  /** When it arrived, by this device's clock. */
  at: number;
}

// A code that looks expired this soon after it was made means a clock we cannot trust (no Date
// header came through): show "Code expired" and the button rather than minting codes in a loop.
const MIN_LIFE_MS = 10_000;

/**
 * "Pair a device": a large QR code holding pairingUrl, the typed code beside it and its
 * countdown. A new pairing replaces it when it expires, when a device claims, or on "New code".
 */
export function PairingPanel({ api, sessionId, claims }: PairingPanelProps) {
  const [shown, setShown] = useState<Shown | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [renewals, setRenewals] = useState(0);
  const renew = (): void => setRenewals((n) => n + 1);

  useEffect(() => {
    let current = true;
    let url: string | null = null;
    setError(null);
    const base = `/v1/sessions/${encodeURIComponent(sessionId)}/pairings`;
    void (async () => {
      try {
        const pairing = await api.post<Pairing>(base, {});
        const svg = await api.blob(`${base}/${encodeURIComponent(pairing.id)}/qr?format=svg`);
        if (!current) return;
        url = URL.createObjectURL(svg);
        setShown({ pairing, qr: url, at: Date.now() });
      } catch (caught) {
        if (!current) return;
        setShown(null);
        setError(caught);
      }
    })();
    return () => {
      current = false;
      if (url !== null) URL.revokeObjectURL(url);
    };
  }, [api, sessionId, renewals, claims]);

  const left = useRemaining(shown?.pairing.expiresAt ?? '');
  const expired = shown !== null && left === 0;
  useEffect(() => {
    if (!expired || Date.now() - (shown?.at ?? 0) < MIN_LIFE_MS) return undefined;
    // A tab nobody looks at does not mint a pairing every two minutes; it renews once shown.
    if (!document.hidden) {
      renew();
      return undefined;
    }
    const onVisible = (): void => {
      if (!document.hidden) renew();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [expired]);

  return (
    <section class="panel pairing" aria-labelledby="pairing-heading">
      <h2 id="pairing-heading">Pair a device</h2>
      <ErrorAlert error={error} />
      <div class="pairing-body">
        <div class="qr-frame">
          {shown !== null && !expired ? (
            <img src={shown.qr} alt="QR code to pair a device" width={288} height={288} />
          ) : (
            <span class="qr-placeholder">{error === null ? 'Making a code…' : 'No code'}</span>
          )}
        </div>
        <div class="pairing-text">
          <p>Scan the QR code with the phone's camera, or open this site's /pair page and type:</p>
          {shown !== null && (
            <span role="group" aria-label="Pairing code" class="pairing-code">
              {shown.pairing.code}
            </span>
          )}
          <p class="muted">
            {shown === null
              ? ''
              : expired
                ? 'Code expired'
                : `Code expires in ${formatRemaining(left)}`}
          </p>
          <button type="button" onClick={renew}>
            New code
          </button>
        </div>
      </div>
    </section>
  );
}
