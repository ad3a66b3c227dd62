// `sharexpress login`: POST /v1/auth/login, then the tokens go to <configDir>/credentials.json
// (0600), per server.
import { parseCommand } from '../core/args.ts';
import { anonClient, credentialsFrom, isTokenPair, userClient } from '../core/client.ts';
import type { CommandContext } from '../core/command.ts';
import { credentialsPath, saveCredentials } from '../core/credentials.ts';
import { CliError, EXIT } from '../core/errors.ts';
import { readEmail, readPassword } from '../core/password.ts';

export const help = `Usage: sharexpress login [--email EMAIL] [--password-stdin] [--server URL] [--json]

Signs in to the server and stores the tokens in the config directory (credentials.json, mode
0600), one entry per server. The password is asked without echo, or read from stdin.

Options:
  --email EMAIL      the account (asked when left out)
  --password-stdin   read the password from stdin instead of asking

Examples:
  sharexpress login --email ada@example.com
  printf '%s' "$PASSWORD" | sharexpress login --email ada@example.com --password-stdin --json
`;

interface User {
  readonly id: string;
  readonly email: string;
  readonly displayName: string | null;
}

export async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand('login', ctx.args, {
    email: { type: 'string' },
    'password-stdin': { type: 'boolean' },
  });
  if (positionals.length > 0) {
    throw new CliError(
      `login takes no arguments (got ${positionals.join(' ')}).`,
      EXIT.USAGE,
      'USAGE',
    );
  }
  const email = await readEmail(values.email);
  const password = await readPassword({ fromStdin: values['password-stdin'] === true });
  let pair: unknown;
  try {
    pair = await anonClient(ctx.server).request(
      'POST',
      '/v1/auth/login',
      { email, password },
      {
        signal: ctx.signal,
      },
    );
  } catch (err) {
    if (err instanceof CliError && err.code === 'UNAUTHENTICATED') {
      throw new CliError('Wrong email or password.', EXIT.AUTH, 'UNAUTHENTICATED');
    }
    throw err;
  }
  if (!isTokenPair(pair))
    throw new CliError('Unexpected login answer from the server.', EXIT.FAILURE);
  saveCredentials(ctx.server, credentialsFrom(email, pair), ctx.env);
  // The server's spelling of the email (normalized), for `sessions` and the next login.
  const me = await userClient(ctx.server, ctx.env).request<User>('GET', '/v1/auth/me', undefined, {
    signal: ctx.signal,
  });
  saveCredentials(ctx.server, credentialsFrom(me.email, pair), ctx.env);
  const path = credentialsPath(ctx.env);
  if (ctx.json) {
    ctx.out.result({ event: 'login', server: ctx.server, user: me, credentials: path });
  } else {
    ctx.out.info(
      `Signed in to ${ctx.server} as ${me.email}. Tokens stored in ${path} (readable by you only).`,
    );
  }
  return EXIT.OK;
}
