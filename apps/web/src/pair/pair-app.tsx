import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, createApi, type Api } from '../api/client';
import { userMessage } from '../api/messages';
import type { Claim, DeviceToken } from '../api/types';
import '../session/session.css';
import { claim, PollEnded, waitForApproval, type Credential } from './claim-flow';
import { CodeForm } from './code-form';
import { defaultDeviceName } from './device-name';
import { DeviceSession } from './device-session';
import { DeviceStore, type ActiveDevice, type PendingDevice } from './device-store';
import {
  claimError,
  endOutcome,
  INCOMPLETE_LINK,
  pollOutcome,
  type Outcome,
} from './pair-messages';
import { JoiningScreen, OutcomeScreen, WaitingScreen } from './pair-screens';

type View =
  | { kind: 'code'; error: string | null }
  | { kind: 'joining' }
  | { kind: 'waiting'; pending: PendingDevice }
  | { kind: 'session'; device: ActiveDevice }
  | { kind: 'over'; outcome: Outcome };

/**
 * The pairing secret leaves the address bar (and this history entry) before anything else
 * reads the URL. It was only ever in the fragment, which no request carries.
 */
function takeSecret(): string | null {
  const found = location.hash.length > 1 ? location.hash.slice(1) : null;
  if (location.hash !== '' || location.search !== '') {
    history.replaceState(null, '', location.pathname);
  }
  return found;
}

const SECRET = /^[A-Za-z0-9_-]{16,256}$/;

/** The phone's app at /pair: claim, wait for approval, then the session. */
export function PairApp() {
  // First thing, before any state is read or any request sent.
  const [secret] = useState(takeSecret);
  const store = useMemo(() => new DeviceStore(), []);
  const api: Api = useMemo(() => createApi(store), [store]);
  const [view, setView] = useState<View>(() => {
    if (secret !== null) return { kind: 'joining' };
    const saved = store.current();
    if (saved?.kind === 'active') return { kind: 'session', device: saved };
    if (saved?.kind === 'pending') return { kind: 'waiting', pending: saved };
    return { kind: 'code', error: null };
  });

  const over = (outcome: Outcome): void => {
    store.forget();
    setView({ kind: 'over', outcome });
  };
  const joined = (sessionId: string, token: DeviceToken, deviceName?: string): void =>
    setView({ kind: 'session', device: store.setToken(sessionId, token, deviceName) });

  const join = async (credential: Credential, deviceName: string): Promise<void> => {
    store.forget(); // a new link or code replaces whatever this tab joined before
    setView({ kind: 'joining' });
    let result: Claim;
    try {
      result = await claim(api, credential, deviceName);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'SESSION_EXPIRED') {
        over(endOutcome('session_expired'));
      } else {
        setView({ kind: 'code', error: claimError(error, 'code' in credential) });
      }
      return;
    }
    if (result.status === 'active') {
      joined(result.session.id, result, result.device.name);
      return;
    }
    const pending: PendingDevice = {
      kind: 'pending',
      pollSecret: result.pollSecret,
      interval: result.interval,
      expiresAt: result.expiresAt,
      deviceName: result.device.name,
    };
    store.set(pending);
    setView({ kind: 'waiting', pending });
  };

  const joinWithSecret = (value: string): void => {
    if (SECRET.test(value)) {
      void join({ secret: value }, defaultDeviceName());
    } else {
      store.forget();
      setView({ kind: 'code', error: INCOMPLETE_LINK });
    }
  };

  useEffect(() => {
    if (secret !== null) joinWithSecret(secret);
    // A pairing link opened in a tab that already shows /pair only changes the fragment.
    const onHash = (): void => {
      const value = takeSecret();
      if (value !== null) joinWithSecret(value);
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  // Waiting for approval: RFC 8628 polling until the owner decides.
  const pending = view.kind === 'waiting' ? view.pending : null;
  useEffect(() => {
    if (pending === null) return undefined;
    const abort = new AbortController();
    waitForApproval({
      api,
      pollSecret: pending.pollSecret,
      interval: pending.interval,
      expiresAt: pending.expiresAt,
      signal: abort.signal,
      onInterval: (interval) => store.set({ ...pending, interval }),
    }).then(
      (approved) => joined(approved.session.id, approved, approved.device.name),
      (error: unknown) => {
        if (abort.signal.aborted) return;
        if (error instanceof PollEnded) over(pollOutcome(error.reason));
        else {
          store.forget();
          setView({ kind: 'code', error: userMessage(error) });
        }
      },
    );
    return () => abort.abort();
  }, [pending]);

  switch (view.kind) {
    case 'code':
      return <CodeForm error={view.error} onJoin={(code, name) => void join({ code }, name)} />;
    case 'joining':
      return <JoiningScreen />;
    case 'waiting':
      return <WaitingScreen name={view.pending.deviceName} />;
    case 'session':
      return (
        <DeviceSession
          key={view.device.sessionId}
          api={api}
          device={view.device}
          onToken={(token) => joined(view.device.sessionId, token)}
          onEnded={(reason) => over(endOutcome(reason))}
        />
      );
    case 'over':
      return <OutcomeScreen {...view.outcome} />;
  }
}
