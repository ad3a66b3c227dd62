// `sharexpress sessions`: GET /v1/sessions, newest first, with what is left of each.
import { parseCommand, positiveInt } from '../core/args.ts';
import { userClient } from '../core/client.ts';
import type { CommandContext } from '../core/command.ts';
import { CliError, EXIT, formatSeconds } from '../core/errors.ts';
import { formatBytes } from '../core/output.ts';

export const help = `Usage: sharexpress sessions [--limit N] [--all] [--server URL] [--json]

Lists your sharing sessions, newest first: id, status, time left, files, devices and name.

Options:
  --limit N   at most N sessions (1 to 100, default 20)
  --all       every session (follows the pages)

Examples:
  sharexpress sessions
  sharexpress sessions --all --json
`;

export interface SessionSummary {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly stats?: { readonly files?: number; readonly bytes?: number; readonly devices?: number };
}

interface Page {
  readonly items: SessionSummary[];
  readonly nextCursor: string | null;
}

/** "42 min left" for an active session, else its status. */
export function remaining(session: SessionSummary, now = Date.now()): string {
  if (session.status !== 'active') return session.status;
  const left = (Date.parse(session.expiresAt) - now) / 1000;
  return left > 0 ? `${formatSeconds(left)} left` : 'expired';
}

export function renderTable(sessions: readonly SessionSummary[], now = Date.now()): string {
  if (sessions.length === 0) return 'No sessions yet. Start one with `sharexpress send FILE`.\n';
  const rows = sessions.map((s) => [
    s.id,
    s.status,
    s.status === 'active' ? remaining(s, now).replace(/ left$/, '') : '-',
    `${s.stats?.files ?? 0} (${formatBytes(s.stats?.bytes ?? 0)})`,
    String(s.stats?.devices ?? 0),
    s.name,
  ]);
  const head = ['ID', 'STATUS', 'LEFT', 'FILES', 'DEVICES', 'NAME'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

export async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand('sessions', ctx.args, {
    limit: { type: 'string' },
    all: { type: 'boolean' },
  });
  if (positionals.length > 0) {
    throw new CliError(
      `sessions takes no arguments (got ${positionals.join(' ')}).`,
      EXIT.USAGE,
      'USAGE',
    );
  }
  const limit = positiveInt('limit', values.limit, 100) ?? 20;
  const client = userClient(ctx.server, ctx.env);
  const sessions: SessionSummary[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: String(values.all ? 100 : limit) });
    if (cursor) query.set('cursor', cursor);
    const page: Page = await client.request<Page>(
      'GET',
      `/v1/sessions?${query.toString()}`,
      undefined,
      {
        signal: ctx.signal,
      },
    );
    sessions.push(...page.items);
    cursor = page.nextCursor;
  } while (values.all && cursor);
  if (ctx.json) ctx.out.result({ event: 'sessions', sessions, nextCursor: cursor });
  else ctx.out.result(renderTable(sessions));
  return EXIT.OK;
}
