// "Duplicate tab" (and a few other ways of opening a tab) copies sessionStorage, so two tabs
// would hold the same single-use refresh token: the second to refresh would be a reuse, and
// the server revokes the whole sign-in, in both tabs. Each tab therefore keeps an id in
// sessionStorage and, when it starts with one, asks the other tabs of this origin
// (BroadcastChannel) whether one of them holds it. One that answers is the original: this tab
// is the copy, takes a new id and gives up the copied refresh token. A reload finds no one
// holding its id (the old page is gone) and keeps everything.

const TAB_KEY = 'sharexpress.tab.v1';
const CHANNEL = 'sharexpress.tabs.v1';
/** How long a live tab has to answer (it answers at once, unless its page is frozen). */
export const ANSWER_MS = 300;

type Message = { type: 'who' | 'mine'; id: string };

export interface TabClaim {
  /** Resolves true when this tab turned out to be a copy of one still open. */
  duplicate: Promise<boolean>;
  close: () => void;
}

const newId = (): string => crypto.randomUUID();

export function claimTab(storage: Storage, channelName = CHANNEL): TabClaim {
  let id: string | null = null;
  try {
    id = storage.getItem(TAB_KEY);
  } catch {
    // Storage refused: nothing was copied either.
  }
  const keep = (value: string): void => {
    try {
      storage.setItem(TAB_KEY, value);
    } catch {
      // Storage refused: this tab has no copy to fear.
    }
  };
  if (typeof BroadcastChannel === 'undefined') {
    return { duplicate: Promise.resolve(false), close: () => undefined };
  }
  const channel = new BroadcastChannel(channelName);
  let mine: string | null = id === null ? newId() : null; // null while asking
  if (id === null && mine !== null) keep(mine);

  let decide: (duplicate: boolean) => void = () => undefined;
  const duplicate = new Promise<boolean>((resolve) => {
    decide = resolve;
  });
  channel.onmessage = (event: MessageEvent<Message>) => {
    const message = event.data;
    if (message.type === 'who' && mine !== null && message.id === mine) {
      channel.postMessage({ type: 'mine', id: mine } satisfies Message);
    } else if (message.type === 'mine' && mine === null && message.id === id) {
      mine = newId();
      keep(mine);
      decide(true);
    }
  };
  if (id === null) {
    decide(false);
  } else {
    const asked = id;
    channel.postMessage({ type: 'who', id: asked } satisfies Message);
    setTimeout(() => {
      if (mine !== null) return;
      mine = asked;
      decide(false);
    }, ANSWER_MS);
  }
  return { duplicate, close: () => channel.close() };
}
