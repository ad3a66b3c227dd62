import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../api/client';
import { ErrorAlert } from '../ui/error-alert';

interface CloseSessionProps {
  api: Api;
  sessionId: string;
  onClosed: () => void;
}

/** "Close session", with an in-page confirm step (no window.confirm: it is not styleable or testable). */
export function CloseSession({ api, sessionId, onClosed }: CloseSessionProps) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const keep = useRef<HTMLButtonElement>(null);
  const open = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);

  // Focus follows the step: to the safe answer when asked, back to the button after "Keep it".
  useLayoutEffect(() => {
    if (asking) keep.current?.focus();
    else if (wasAsking.current) open.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  const close = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await api.del(`/v1/sessions/${encodeURIComponent(sessionId)}`);
      onClosed();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="close-session">
      <ErrorAlert error={error} />
      {asking ? (
        <div class="confirm" role="group" aria-labelledby="close-question">
          <p id="close-question">Close this session? Devices lose access.</p>
          <button type="button" class="danger" disabled={busy} onClick={() => void close()}>
            Close it
          </button>
          <button type="button" ref={keep} disabled={busy} onClick={() => setAsking(false)}>
            Keep it
          </button>
        </div>
      ) : (
        <button type="button" class="danger" ref={open} onClick={() => setAsking(true)}>
          Close session
        </button>
      )}
    </div>
  );
}
