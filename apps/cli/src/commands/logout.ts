// `sharexpress logout`: revokes the login on the server (POST /v1/auth/logout) and forgets the
// stored tokens, which happens even when the server cannot be reached.
import { parseCommand } from '../core/args.ts';
import { anonClient } from '../core/client.ts';
import type { CommandContext } from '../core/command.ts';
import { clearCredentials, loadCredentials } from '../core/credentials.ts';
import { CliError, EXIT } from '../core/errors.ts';

export const help = `Usage: sharexpress logout [--server URL] [--json]

Signs out: the server revokes every token of this login, and the stored tokens for this server
are deleted from credentials.json. When the server cannot be reached the tokens are still
deleted here, and the command says so (exit code 8).

Example:
  sharexpress logout
`;

export async function run(ctx: CommandContext): Promise<number> {
  const { positionals } = parseCommand('logout', ctx.args, {});
  if (positionals.length > 0) {
    throw new CliError(
      `logout takes no arguments (got ${positionals.join(' ')}).`,
      EXIT.USAGE,
      'USAGE',
    );
  }
  const creds = loadCredentials(ctx.server, ctx.env);
  if (!creds) {
    if (ctx.json) ctx.out.result({ event: 'logout', server: ctx.server, signedIn: false });
    else ctx.out.info(`Not signed in to ${ctx.server}: nothing to do.`);
    return EXIT.OK;
  }
  let failure: CliError | null = null;
  try {
    await anonClient(ctx.server).request(
      'POST',
      '/v1/auth/logout',
      {
        refreshToken: creds.refreshToken,
      },
      { signal: ctx.signal },
    );
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    failure = err;
  }
  clearCredentials(ctx.server, ctx.env);
  if (failure) {
    throw new CliError(
      `Deleted the stored tokens, but the server did not revoke them: ${failure.message}`,
      failure.exitCode,
      failure.code,
    );
  }
  if (ctx.json)
    ctx.out.result({ event: 'logout', server: ctx.server, signedIn: true, email: creds.email });
  else ctx.out.info(`Signed out of ${ctx.server} (${creds.email}).`);
  return EXIT.OK;
}
