// The session a send uploads to: the one its state file names while it is still active, else a
// new one made from the options (and the state starts over).
import type { Client } from '../core/client.ts';
import { CliError } from '../core/errors.ts';
import type { Output } from '../core/output.ts';
import type { SendOptions } from './options.ts';
import type { StateFile } from './state.ts';

export interface Session {
  id: string;
  name: string;
  status: 'active' | 'closed' | 'expired';
  expiresAt: string;
  requireApproval: boolean;
  limits: { maxDownloadsPerFile: number };
}

export async function openSession(
  client: Client,
  out: Output,
  state: StateFile,
  options: SendOptions,
): Promise<{ session: Session; reused: boolean }> {
  const earlier = state.state.sessionId;
  if (earlier !== null) {
    const found = await client
      .request<Session>('GET', `/v1/sessions/${earlier}`)
      .catch((error: unknown) => {
        if (error instanceof CliError && error.code === 'NOT_FOUND') return null;
        throw error;
      });
    if (found !== null && found.status === 'active') {
      out.info(`Resuming session "${found.name}" (${found.id}).`);
      return { session: found, reused: true };
    }
    out.info(
      `The earlier session ${earlier} has ended${found ? ` (${found.status})` : ''}: starting over with a new session.`,
    );
  }
  const body: Record<string, unknown> = {
    requireApproval: options.approve,
    // Devices get the files; nothing more is given away by default.
    guestPermissions: ['download'],
  };
  if (options.name !== undefined) body.name = options.name;
  if (options.ttlSeconds !== undefined) body.ttlSeconds = options.ttlSeconds;
  if (options.maxDownloads !== undefined)
    body.limits = { maxDownloadsPerFile: options.maxDownloads };
  const session = await client.request<Session>('POST', '/v1/sessions', body);
  state.restart(session.id);
  return { session, reused: false };
}

/**
 * The session's latest event seq, so the live stream starts exactly there: a device that claims
 * the pairing before the stream is connected is not missed.
 */
export async function latestSeq(client: Client, sessionId: string): Promise<number> {
  let after = 0;
  for (;;) {
    const page = await client.request<{ items: { seq: number }[]; nextCursor: number | null }>(
      'GET',
      `/v1/sessions/${sessionId}/activity?after=${String(after)}&limit=100`,
    );
    const last = page.items.at(-1)?.seq;
    if (last !== undefined) after = last;
    if (page.nextCursor === null || last === undefined) return after;
  }
}
