import { ApiError, createApi, type TokenSource } from '../api/client';
import type { TokenPair, User } from '../api/types';
import { claimTab, type TabClaim } from './tab-claim';

// sessionStorage: scoped to this tab, kept across a reload (so an upload can resume), gone when
// the tab closes; never localStorage (shared by every tab, kept forever) and never in a URL.
export const USER_STORAGE_KEY = 'sharexpress.user.v1';

interface StoredUser {
  accessToken: string;
  /** null in a tab copied from another one (see tab-claim.ts): that tab keeps the refresh token. */
  refreshToken: string | null;
  /** Epoch milliseconds when the access token expires. */
  expiresAt: number;
}

/** The signed-in user's tokens, backed by sessionStorage, with sign in / up / out. */
export interface UserAuth extends TokenSource {
  refresh: () => Promise<boolean>;
  signedIn: () => boolean;
  signIn: (email: string, password: string) => Promise<void>;
  /** Registers, then signs in. */
  signUp: (email: string, password: string, displayName?: string) => Promise<void>;
  signOut: () => Promise<void>;
  /** Called whenever the user signs in or out (also when a refresh is refused). */
  onChange: (listener: () => void) => () => void;
  /** Why this tab was signed out without the user asking, if it was: shown by the sign-in screen. */
  notice: () => string | null;
}

export const COPIED_TAB_NOTICE =
  'This tab is a copy of another one, which keeps the sign-in. Sign in again to go on here.';

export function createUserAuth(
  storage: Storage = window.sessionStorage,
  tab: TabClaim = claimTab(storage),
): UserAuth {
  const anonymous = createApi({ token: () => null });
  const listeners = new Set<() => void>();
  let state = load(storage);
  let refreshing: Promise<boolean> | null = null;
  let notice: string | null = null;
  // A copied tab keeps the access token until it expires, then asks to sign in.
  const copied = tab.duplicate.then((duplicate) => {
    if (duplicate && state !== null) {
      state = { ...state, refreshToken: null };
      save(storage, state);
    }
  });

  const set = (next: StoredUser | null): void => {
    const changed = (state === null) !== (next === null);
    state = next;
    save(storage, next);
    if (changed) for (const listener of listeners) listener();
  };
  const keep = (pair: TokenPair): void => {
    set({
      accessToken: pair.accessToken,
      refreshToken: pair.refreshToken,
      expiresAt: Date.now() + pair.expiresIn * 1000,
    });
  };

  const refresh = (): Promise<boolean> => {
    // Refresh tokens are single use: concurrent 401s share one refresh.
    refreshing ??= (async () => {
      await copied;
      const refreshToken = state?.refreshToken;
      if (refreshToken === undefined) return false;
      if (refreshToken === null) {
        notice = COPIED_TAB_NOTICE;
        set(null);
        return false;
      }
      try {
        keep(await anonymous.post<TokenPair>('/v1/auth/refresh', { refreshToken }));
        return true;
      } catch (error) {
        // Refused: this login is over. Anything else (429, 503, offline) keeps the tokens for a
        // later try, and the request that needed the refresh fails with this error.
        if (error instanceof ApiError && error.status === 401) {
          set(null);
          return false;
        }
        throw error;
      }
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  };

  const signIn = async (email: string, password: string): Promise<void> => {
    notice = null;
    keep(await anonymous.post<TokenPair>('/v1/auth/login', { email, password }));
  };

  return {
    token: () => state?.accessToken ?? null,
    refresh,
    signedIn: () => state !== null,
    signIn,
    signUp: async (email, password, displayName) => {
      const name = displayName?.trim();
      await anonymous.post<{ user: User }>('/v1/auth/register', {
        email,
        password,
        ...(name === undefined || name === '' ? {} : { displayName: name }),
      });
      await signIn(email, password);
    },
    signOut: async () => {
      const refreshToken = state?.refreshToken;
      set(null);
      // A copied tab has no refresh token: signing out there leaves the original signed in.
      if (refreshToken === undefined || refreshToken === null) return;
      // Ends the login on the server too; the local tokens are gone whatever it answers.
      await anonymous.post('/v1/auth/logout', { refreshToken }).catch(() => undefined);
    },
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    notice: () => notice,
  };
}

function load(storage: Storage): StoredUser | null {
  try {
    const raw = storage.getItem(USER_STORAGE_KEY);
    if (raw === null) return null;
    const value = JSON.parse(raw) as Partial<StoredUser>;
    return typeof value.accessToken === 'string' &&
      (typeof value.refreshToken === 'string' || value.refreshToken === null)
      ? {
          accessToken: value.accessToken,
          refreshToken: value.refreshToken,
          expiresAt: typeof value.expiresAt === 'number' ? value.expiresAt : 0,
        }
      : null;
  } catch {
    return null;
  }
}

function save(storage: Storage, value: StoredUser | null): void {
  try {
    if (value === null) storage.removeItem(USER_STORAGE_KEY);
    else storage.setItem(USER_STORAGE_KEY, JSON.stringify(value));
  } catch {
    // Storage refused (private mode, quota): signed in until the page is closed.
  }
}
