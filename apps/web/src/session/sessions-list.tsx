import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../api/client';
import type { Page, Session } from '../api/types';
import { ErrorAlert } from '../ui/error-alert';
import { useNow } from './countdown';
import { formatRemaining } from './format';

const PAGE_SIZE = 20;

function statusText(session: Session, now: number): string {
  if (session.status !== 'active') return session.status;
  const left = Date.parse(session.expiresAt) - now;
  return left > 0 ? `active · ends in ${formatRemaining(left)}` : 'expired';
}

/** "Your sessions": newest first, each with its status and remaining time. */
export function SessionsList({ api }: { api: Api }) {
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const now = useNow();

  const load = async (after: string | null): Promise<void> => {
    setError(null);
    try {
      const query = after === null ? '' : `&cursor=${encodeURIComponent(after)}`;
      const page = await api.get<Page<Session>>(`/v1/sessions?limit=${PAGE_SIZE}${query}`);
      setSessions((shown) => [...(after === null ? [] : (shown ?? [])), ...page.items]);
      setCursor(page.nextCursor);
    } catch (caught) {
      setError(caught);
    }
  };
  useEffect(() => {
    void load(null);
    heading.current?.focus();
  }, [api]);

  return (
    <section class="panel sessions" aria-labelledby="sessions-heading">
      <h1 id="sessions-heading" ref={heading} tabIndex={-1}>
        Your sessions
      </h1>
      <ErrorAlert error={error} />
      {sessions === null ? (
        error === null && <p>Loading…</p>
      ) : sessions.length === 0 ? (
        <p class="muted">No sessions yet: create one with the form.</p>
      ) : (
        <ul class="item-list">
          {sessions.map((session) => (
            <li key={session.id} class="item">
              <span class="item-main">
                <a class="item-name" href={`#/s/${encodeURIComponent(session.id)}`}>
                  {session.name}
                </a>
                <span class="item-meta">{statusText(session, now)}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
      {cursor !== null && (
        <button type="button" onClick={() => void load(cursor)}>
          Show older sessions
        </button>
      )}
    </section>
  );
}
