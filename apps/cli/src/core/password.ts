// Passwords: from `--password-stdin` (all of stdin, one trailing newline dropped) or a hidden
// prompt. Never from a flag: it would sit in the shell history and the process list.
import { usageError } from './errors.ts';
import { ask, readAllStdin } from './prompt.ts';

export async function readPassword(opts: {
  fromStdin: boolean;
  confirm?: boolean;
}): Promise<string> {
  if (opts.fromStdin) {
    const text = (await readAllStdin()).replace(/\r?\n$/, '');
    if (!text) throw usageError('--password-stdin: stdin was empty.');
    return text;
  }
  const password = await ask('Password: ', { hidden: true });
  if (password === null || password === '') throw usageError('No password given.');
  if (opts.confirm && process.stdin.isTTY) {
    const again = await ask('Password again: ', { hidden: true });
    if (again !== password) throw usageError('The two passwords differ.');
  }
  return password;
}

/** `--email`, else a prompt; a usage error when neither gives one. */
export async function readEmail(flag: string | undefined): Promise<string> {
  const email = (flag ?? (await ask('Email: ')) ?? '').trim();
  if (!email) throw usageError('An email is needed: --email EMAIL.');
  return email;
}
