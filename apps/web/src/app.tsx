import { useEffect, useMemo, useState } from 'preact/hooks';
import { createApi } from './api/client';
import { AuthScreen } from './auth/auth-screen';
import { createUserAuth, type UserAuth } from './auth/user-auth';
import { PairApp } from './pair/pair-app';
import { DesktopApp } from './session/desktop-app';
import { Header } from './ui/header';

const isPairPath = (path: string): boolean => path === '/pair' || path.startsWith('/pair/');

/** /pair is the phone's page (a QR code opens it); everything else is the owner's desktop app. */
export function App() {
  if (isPairPath(location.pathname)) {
    return (
      <>
        <Header />
        <main id="main">
          <PairApp />
        </main>
      </>
    );
  }
  return <OwnerApp />;
}

function OwnerApp() {
  const auth = useMemo<UserAuth>(() => createUserAuth(), []);
  const api = useMemo(() => createApi(auth), [auth]);
  const [signedIn, setSignedIn] = useState(auth.signedIn());
  useEffect(() => auth.onChange(() => setSignedIn(auth.signedIn())), [auth]);

  const signOut = (): void => {
    void auth.signOut();
    history.replaceState(null, '', '/');
  };
  return (
    <>
      <Header onSignOut={signedIn ? signOut : undefined} />
      <main id="main">
        {signedIn ? <DesktopApp api={api} onSignOut={signOut} /> : <AuthScreen auth={auth} />}
      </main>
    </>
  );
}
