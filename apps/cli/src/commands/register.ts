// `sharexpress register`: POST /v1/auth/register.
import { parseCommand } from '../core/args.ts';
import { anonClient } from '../core/client.ts';
import type { CommandContext } from '../core/command.ts';
import { CliError, EXIT } from '../core/errors.ts';
import { readEmail, readPassword } from '../core/password.ts';

export const help = `Usage: sharexpress register [--email EMAIL] [--name NAME] [--password-stdin] [--server URL] [--json]

Creates an account on the server. The password (8 to 128 characters) is asked twice without
echo, or read from stdin. Sign in afterwards with \`sharexpress login\`.

Options:
  --email EMAIL      the account's email (asked when left out)
  --name NAME        a display name (1 to 100 characters)
  --password-stdin   read the password from stdin instead of asking

Examples:
  sharexpress register --email ada@example.com --name "Ada Lovelace"
  printf '%s' "$PASSWORD" | sharexpress register --email ada@example.com --password-stdin
`;

interface User {
  readonly id: string;
  readonly email: string;
  readonly displayName: string | null;
  readonly createdAt: string;
}

export async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand('register', ctx.args, {
    email: { type: 'string' },
    name: { type: 'string' },
    'password-stdin': { type: 'boolean' },
  });
  if (positionals.length > 0) {
    throw new CliError(
      `register takes no arguments (got ${positionals.join(' ')}).`,
      EXIT.USAGE,
      'USAGE',
    );
  }
  const email = await readEmail(values.email);
  const password = await readPassword({
    fromStdin: values['password-stdin'] === true,
    confirm: true,
  });
  const body: Record<string, string> = { email, password };
  if (values.name !== undefined) body.displayName = values.name;
  let answer: { user: User };
  try {
    answer = await anonClient(ctx.server).request<{ user: User }>(
      'POST',
      '/v1/auth/register',
      body,
      {
        signal: ctx.signal,
      },
    );
  } catch (err) {
    if (err instanceof CliError && err.code === 'CONFLICT') {
      throw new CliError(
        `An account with ${email} exists already: sign in with \`sharexpress login\`.`,
        EXIT.FAILURE,
        'CONFLICT',
      );
    }
    throw err;
  }
  if (ctx.json) ctx.out.result({ event: 'registered', server: ctx.server, user: answer.user });
  else
    ctx.out.info(
      `Account created for ${answer.user.email}. Sign in with \`sharexpress login --email ${answer.user.email}\`.`,
    );
  return EXIT.OK;
}
