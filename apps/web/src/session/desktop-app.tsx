import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, type Api } from '../api/client';
import { NewSessionForm } from './new-session-form';
import { SessionView } from './session-view';
import { SessionsList } from './sessions-list';
import './session.css';

type Route = { view: 'home' } | { view: 'session'; sessionId: string };

/** `#/` is the sessions list and the new-session form, `#/s/<id>` one session. */
function parseHash(hash: string): Route {
  const match = /^#\/s\/([^/?#]+)$/.exec(hash);
  if (match?.[1] === undefined) return { view: 'home' };
  try {
    return { view: 'session', sessionId: decodeURIComponent(match[1]) };
  } catch {
    return { view: 'home' };
  }
}

function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseHash(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function goToSession(sessionId: string): void {
  location.hash = `#/s/${encodeURIComponent(sessionId)}`;
}

/**
 * The same API, but a 401 after which the sign-in is over (the refresh was refused, so the
 * tokens are gone) signs the owner out instead of leaving every screen failing. A refresh that
 * only failed (rate limited, offline) keeps the tokens, and the request fails with that error.
 */
function signingOutOn401(api: Api, onSignOut: () => void): Api {
  const watch = <T,>(call: Promise<T>): Promise<T> =>
    call.catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 401 && api.token() === null) onSignOut();
      throw error;
    });
  return {
    get: (path, opts) => watch(api.get(path, opts)),
    post: (path, body, opts) => watch(api.post(path, body, opts)),
    patch: (path, body) => watch(api.patch(path, body)),
    del: (path) => watch(api.del(path)),
    blob: (path) => watch(api.blob(path)),
    token: () => api.token(),
    now: () => api.now(),
  };
}

/** The signed-in owner's app. */
export function DesktopApp({ api: plainApi, onSignOut }: { api: Api; onSignOut: () => void }) {
  // Through a ref: a new onSignOut each render must not make a new Api (and restart every view).
  const signOut = useRef(onSignOut);
  signOut.current = onSignOut;
  const api = useMemo(() => signingOutOn401(plainApi, () => signOut.current()), [plainApi]);
  const route = useHashRoute();
  if (route.view === 'session') {
    return <SessionView key={route.sessionId} api={api} sessionId={route.sessionId} />;
  }
  return (
    <div class="home-grid">
      <SessionsList api={api} />
      <NewSessionForm api={api} onCreated={(session) => goToSession(session.id)} />
    </div>
  );
}
