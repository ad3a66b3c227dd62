import { useState } from 'preact/hooks';
import type { Api } from '../api/client';
import type { Permission, Session } from '../api/types';
import { ErrorAlert } from '../ui/error-alert';
import { formText } from './form-text';

const LIFETIMES: ReadonlyArray<{ seconds: number; label: string }> = [
  { seconds: 600, label: '10 minutes' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '1 day' },
  { seconds: 604_800, label: '7 days' },
];
// The server's default too (SESSION_DEFAULT_TTL_SECONDS).
const DEFAULT_TTL_SECONDS = 3600;
const PERMISSIONS: ReadonlyArray<{ value: Permission; label: string; on: boolean }> = [
  { value: 'upload', label: 'Guests can upload', on: true },
  { value: 'download', label: 'Guests can download', on: true },
  { value: 'delete', label: 'Guests can delete', on: false },
];

/** "New session": name, lifetime, what paired devices may do, and whether each needs approval. */
export function NewSessionForm({
  api,
  onCreated,
}: {
  api: Api;
  onCreated: (session: Session) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const name = formText(form, 'name').trim();
    const body = {
      ...(name === '' ? {} : { name }),
      ttlSeconds: Number(form.get('ttl')),
      guestPermissions: PERMISSIONS.filter((p) => form.get(p.value) !== null).map((p) => p.value),
      requireApproval: form.get('approval') !== null,
    };
    setBusy(true);
    setError(null);
    try {
      onCreated(await api.post<Session>('/v1/sessions', body));
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };

  return (
    <section class="panel new-session" aria-labelledby="new-session-heading">
      <h2 id="new-session-heading">New session</h2>
      <form onSubmit={(event) => void submit(event)}>
        <ErrorAlert error={error} />
        <div class="field">
          <label for="session-name">Name</label>
          <input
            id="session-name"
            name="name"
            type="text"
            maxLength={100}
            placeholder="Sharing session"
          />
        </div>
        <div class="field">
          <label for="session-ttl">Lifetime</label>
          <select id="session-ttl" name="ttl">
            {LIFETIMES.map((lifetime) => (
              <option
                key={lifetime.seconds}
                value={String(lifetime.seconds)}
                selected={lifetime.seconds === DEFAULT_TTL_SECONDS}
              >
                {lifetime.label}
              </option>
            ))}
          </select>
        </div>
        <fieldset class="field">
          <legend>Paired devices</legend>
          {PERMISSIONS.map((permission) => (
            <label key={permission.value} class="check">
              <input type="checkbox" name={permission.value} defaultChecked={permission.on} />
              {permission.label}
            </label>
          ))}
          <label class="check">
            <input type="checkbox" name="approval" />
            Approve each device
          </label>
        </fieldset>
        <button type="submit" class="primary" disabled={busy}>
          Create session
        </button>
      </form>
    </section>
  );
}
