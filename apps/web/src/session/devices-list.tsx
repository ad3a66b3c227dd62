import { useState } from 'preact/hooks';
import type { Api } from '../api/client';
import type { Device } from '../api/types';
import { ErrorAlert } from '../ui/error-alert';

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

  const act = async (device: Device, action: (path: string) => Promise<unknown>) => {
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
      <h2 id="devices-heading">Devices</h2>
      <ErrorAlert error={error} />
      {devices.length === 0 ? (
        <p class="muted">No device has joined yet.</p>
      ) : (
        <ul class="item-list">
          {devices.map((device) => (
            <li key={device.id} class="item">
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
