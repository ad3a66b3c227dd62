// `sharexpress close ID`: DELETE /v1/sessions/:id (the session ends, its devices are cut off).
import { parseCommand } from '../core/args.ts';
import { userClient } from '../core/client.ts';
import type { CommandContext } from '../core/command.ts';
import { CliError, EXIT, usageError } from '../core/errors.ts';

export const help = `Usage: sharexpress close SESSION_ID [--server URL] [--json]

Closes one of your sharing sessions now: its files can no longer be downloaded and its devices'
tokens stop working. Closing a session that is already closed or expired succeeds and changes
nothing. Session ids: \`sharexpress sessions\`.

Example:
  sharexpress close mZ3q8V0xT2kR9bYcLw4n1A
`;

export async function run(ctx: CommandContext): Promise<number> {
  const { positionals } = parseCommand('close', ctx.args, {});
  if (positionals.length !== 1) {
    throw usageError('close takes one session id: sharexpress close SESSION_ID');
  }
  const id = positionals[0];
  try {
    await userClient(ctx.server, ctx.env).request(
      'DELETE',
      `/v1/sessions/${encodeURIComponent(id)}`,
      undefined,
      {
        signal: ctx.signal,
      },
    );
  } catch (err) {
    if (err instanceof CliError && err.exitCode === EXIT.NOT_FOUND) {
      throw new CliError(
        `No session ${id} among yours on ${ctx.server}.`,
        EXIT.NOT_FOUND,
        err.code,
      );
    }
    throw err;
  }
  if (ctx.json) ctx.out.result({ event: 'closed', sessionId: id });
  else ctx.out.info(`Closed session ${id}.`);
  return EXIT.OK;
}
