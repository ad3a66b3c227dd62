import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../api/client';
import type { Device } from '../api/types';
import { ErrorAlert } from '../ui/error-alert';
import { useFocusRescue } from '../ui/use-focus-rescue';

interface DevicesListProps {
  api: Api;
  sessionId: string;
  devices: readonly Device[];
  /** Approving, rejecting and revoking only make sense while the session is active. */
  active: boolean;
  onChanged: () => void;
}

const STATUS_TEXT: Record<Device['status'], string> = {
  pending: 'waiting for approval',
  active: 'active',
  rejected: 'rejected',
  revoked: 'revoked',
};

/** The owner's "Devices" region: who joined, and approve / reject / revoke. */
export function DevicesList({ api, sessionId, devices, active, onChanged }: DevicesListProps) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const base = `/v1/sessions/${encodeURIComponent(sessionId)}/devices`;
  const heading = useRef<HTMLHeadingElement>(null);
  const rescue = useFocusRescue(() => heading.current, busy !== null);
  const waiting = useNewlyPending(devices);

  const act = async (device: Device, action: (path: string) => Promise<unknown>) => {
    rescue(device.id);
    setBusy(device.id);
    setError(null);
    try {
      await action(`${base}/${encodeURIComponent(device.id)}`);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
      onChanged();
    }
  };

  return (
    <section class="panel devices" aria-labelledby="devices-heading">
      <h2 id="devices-heading" ref={heading} tabIndex={-1}>
        Devices
      </h2>
      <p class="visually-hidden" aria-live="polite">
        {waiting}
      </p>
      <ErrorAlert error={error} />
      {devices.length === 0 ? (
        <p class="muted">No device has joined yet.</p>
      ) : (
        <ul class="item-list">
          {devices.map((device) => (
            <li key={device.id} class="item" data-row={device.id}>
              <span class="item-main">
                <span class="item-name">{device.name}</span>
                <span class="item-meta">
                  <span class={`badge badge-${device.status}`}>{STATUS_TEXT[device.status]}</span>
                  {device.userAgent !== null && <span class="user-agent">{device.userAgent}</span>}
                </span>
              </span>
              {active && (
                <span class="item-actions">
                  {device.status === 'pending' && (
                    <>
                      <button
                        type="button"
                        class="primary"
                        aria-label={`Approve ${device.name}`}
                        disabled={busy === device.id}
                        onClick={() => void act(device, (path) => api.post(`${path}/approve`))}
                      >
                        Approve
                      </button>
                      <button
                        type="button"
                        aria-label={`Reject ${device.name}`}
                        disabled={busy === device.id}
                        onClick={() => void act(device, (path) => api.post(`${path}/reject`))}
                      >
                        Reject
                      </button>
                    </>
                  )}
                  {device.status === 'active' && (
                    <button
                      type="button"
                      class="danger"
                      aria-label={`Revoke ${device.name}`}
                      disabled={busy === device.id}
                      onClick={() => void act(device, (path) => api.del(path))}
                    >
                      Revoke
                    </button>
                  )}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** "<name> is waiting for approval" for a device that became pending since the list was shown. */
function useNewlyPending(devices: readonly Device[]): string {
  const seen = useRef<Set<string> | null>(null);
  const [text, setText] = useState('');
  useEffect(() => {
    const pending = devices.filter((device) => device.status === 'pending');
    const known = seen.current;
    seen.current = new Set([...(known ?? []), ...pending.map((device) => device.id)]);
    if (known === null) return; // the first list: what was already there is read with the page
    const fresh = pending.filter((device) => !known.has(device.id));
    if (fresh.length > 0) {
      setText(fresh.map((device) => `${device.name} is waiting for approval`).join('. '));
    }
  }, [devices]);
  return text;
}
