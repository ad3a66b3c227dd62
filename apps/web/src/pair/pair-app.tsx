import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, createApi, type Api } from '../api/client';
import { userMessage } from '../api/messages';
import type { Claim } from '../api/types';
import '../session/session.css';
import { useFocusOnMount } from '../session/use-focus';
import { claim, PollEnded, waitForApproval, type Credential } from './claim-flow';
import { CodeForm } from './code-form';
import { defaultDeviceName } from './device-name';
import { END_TEXT, DeviceSession } from './device-session';
import { DeviceStore, type ActiveDevice, type PendingDevice } from './device-store';

type View =
  | { kind: 'code'; error: string | null }
  | { kind: 'joining' }
  | { kind: 'waiting'; pending: PendingDevice }
  | { kind: 'session'; device: ActiveDevice }
  | { kind: 'declined' }
  | { kind: 'ended'; detail: string };

/**
 * The pairing secret leaves the address bar (and this history entry) before anything else
 * reads the URL. It was only ever in the fragment, which no request carries.
 */
function takeSecret(): string | null {
  const found = location.hash.length > 1 ? location.hash.slice(1) : null;
  if (location.hash !== '' || location.search !== '')
    history.replaceState(null, '', location.pathname);
  return found;
}

const SECRET = /^[A-Za-z0-9_-]{16,256}$/;

/** What a failed claim means to the person holding the phone. */
function claimError(error: unknown, byCode: boolean): string {
  if (error instanceof ApiError && error.status === 401) {
    return byCode
      ? 'That code did not work: it may be mistyped, already used or expired. Check it, or ask for a new one.'
      : 'This pairing link has already been used or has expired. Ask for a new QR code, or type a fresh code here.';
  }
  if (error instanceof ApiError && error.status === 400 && !byCode) {
    return 'This pairing link is damaged. Scan the QR code again, or type the code here.';
  }
  return userMessage(error);
}

function Ended({ title, detail }: { title: string; detail: string }) {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <section class="panel ended-view">
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {detail !== '' && <p>{detail}</p>}
      <p>
        <a href="/pair">Join another session</a>
      </p>
    </section>
  );
}

function Waiting({ name }: { name: string }) {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <section class="panel waiting-view" aria-busy="true">
      <h1 ref={heading} tabIndex={-1}>
        Waiting for approval
      </h1>
      <p>Ask the session's owner to approve “{name}”. This page goes on by itself once they do.</p>
    </section>
  );
}

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

  const end = (reason: string): void => {
    store.forget();
    setView(
      reason === 'device_rejected'
        ? { kind: 'declined' }
        : { kind: 'ended', detail: END_TEXT[reason] ?? '' },
    );
  };

  const join = async (credential: Credential, deviceName: string): Promise<void> => {
    store.forget(); // a new link or code replaces whatever this tab joined before
    setView({ kind: 'joining' });
    const byCode = 'code' in credential;
    let result: Claim;
    try {
      result = await claim(api, credential, deviceName);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'SESSION_EXPIRED')
        return end('session_expired');
      setView({ kind: 'code', error: claimError(error, byCode) });
      return;
    }
    if (result.status === 'active') {
      store.setToken(result.session.id, result);
      const saved = store.current();
      if (saved?.kind === 'active') setView({ kind: 'session', device: saved });
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

  const joinWithSecret = (secret: string): void => {
    if (SECRET.test(secret)) void join({ secret }, defaultDeviceName());
    else {
      store.forget();
      setView({
        kind: 'code',
        error: 'This pairing link is incomplete. Scan the QR code again, or type the code here.',
      });
    }
  };

  useEffect(() => {
    if (secret !== null) joinWithSecret(secret);
  }, []);

  // A pairing link opened in a tab that already shows /pair only changes the fragment.
  useEffect(() => {
    const onHash = (): void => {
      const secret = takeSecret();
      if (secret !== null) joinWithSecret(secret);
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
      (approved) => {
        store.setToken(approved.session.id, approved);
        const saved = store.current();
        if (saved?.kind === 'active') setView({ kind: 'session', device: saved });
      },
      (error: unknown) => {
        if (abort.signal.aborted) return;
        store.forget();
        if (error instanceof PollEnded && error.reason === 'declined')
          setView({ kind: 'declined' });
        else if (error instanceof PollEnded && error.reason === 'expired') {
          setView({
            kind: 'ended',
            detail:
              'The owner did not approve this device in time. Ask for a new QR code to try again.',
          });
        } else if (error instanceof PollEnded)
          setView({ kind: 'ended', detail: END_TEXT.session_expired ?? '' });
        else setView({ kind: 'code', error: userMessage(error) });
      },
    );
    return () => abort.abort();
  }, [pending]);

  switch (view.kind) {
    case 'code':
      return (
        <CodeForm
          error={view.error}
          busy={false}
          onJoin={(code, name) => void join({ code }, name)}
        />
      );
    case 'joining':
      return (
        <p class="panel" aria-busy="true">
          Joining the session…
        </p>
      );
    case 'waiting':
      return <Waiting name={view.pending.deviceName} />;
    case 'session':
      return (
        <DeviceSession
          key={view.device.sessionId}
          api={api}
          device={view.device}
          onToken={(token) => {
            store.setToken(view.device.sessionId, token);
            const saved = store.current();
            if (saved?.kind === 'active') setView({ kind: 'session', device: saved });
          }}
          onEnded={end}
        />
      );
    case 'declined':
      return (
        <Ended
          title="The owner declined this device"
          detail="Ask them for a new QR code if that was a mistake."
        />
      );
    case 'ended':
      return <Ended title="This session has ended" detail={view.detail} />;
  }
}
