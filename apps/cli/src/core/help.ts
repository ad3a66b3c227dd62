// The command list and `sharexpress --help`: kept here, not in the command modules, so the
// top-level help loads none of them.

export interface CommandInfo {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
}

export const COMMANDS: readonly CommandInfo[] = [
  {
    name: 'login',
    usage: 'login [--email EMAIL] [--password-stdin]',
    summary: 'Sign in and store your tokens',
  },
  { name: 'logout', usage: 'logout', summary: 'Sign out and forget the stored tokens' },
  {
    name: 'register',
    usage: 'register [--email EMAIL] [--name NAME] [--password-stdin]',
    summary: 'Create an account',
  },
  {
    name: 'send',
    usage: 'send FILE… [--ttl 1h] [--downloads 3] [--approve] [--name NAME]',
    summary: 'Share files: upload, show a QR code, follow who downloads',
  },
  {
    name: 'receive',
    usage: 'receive [CODE|PAIRING_URL] [--out DIR] [--device-name NAME] [--follow]',
    summary: 'Pair by code or URL and download the files, SHA-256 checked',
  },
  {
    name: 'sessions',
    usage: 'sessions [--all] [--limit N]',
    summary: 'List your sharing sessions, newest first',
  },
  { name: 'close', usage: 'close SESSION_ID', summary: 'Close a sharing session now' },
];

export const COMMAND_NAMES: ReadonlySet<string> = new Set(COMMANDS.map((c) => c.name));

export function mainHelp(version: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `sharexpress ${version}: send and receive files through a Sharexpress server

Usage: sharexpress <command> [options]

Commands:
${lines.join('\n')}

Global options:
  --server URL   the API (default: $SHAREXPRESS_URL, else http://localhost:3000)
  --json         one JSON object per line on stdout, for scripts (no bars, no prompts' chatter)
  -h, --help     help; \`sharexpress <command> --help\` for a command's options
  -V, --version  the version

Examples:
  sharexpress login --email ada@example.com
  sharexpress send report.pdf photos.zip --ttl 1h --downloads 3
  sharexpress receive ABCD-EFGH --out ~/Downloads
  sharexpress sessions
  sharexpress close mZ3q8V0xT2kR9bYcLw4n1A

Exit codes: 0 ok, 1 failure, 2 usage, 3 not signed in, 4 not found, 5 integrity (SHA-256),
6 gone/expired, 7 rate limited or quota, 8 server unreachable/unavailable, 130 interrupted.
`;
}

/** The short help of a command whose module has none of its own. */
export function fallbackHelp(name: string): string {
  const info = COMMANDS.find((c) => c.name === name);
  return info ? `Usage: sharexpress ${info.usage}\n\n${info.summary}.\n` : '';
}

/** The closest command name, for "did you mean". */
export function suggest(word: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const { name } of COMMANDS) {
    const d = distance(word, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(cur + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}
