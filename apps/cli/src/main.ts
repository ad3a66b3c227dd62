// `sharexpress`: global flags, then the command, loaded only when it runs (so `--help` stays
// fast). Exit codes: core/errors.ts EXIT.
import { resolveServer, splitGlobal } from './core/args.ts';
import type { CommandContext, CommandModule } from './core/command.ts';
import { CliError, EXIT } from './core/errors.ts';
import { COMMAND_NAMES, fallbackHelp, mainHelp, suggest } from './core/help.ts';
import { createOutput, type Output } from './core/output.ts';

// The one place the terminal client reads its environment (SHAREXPRESS_URL,
// SHAREXPRESS_CONFIG_DIR, XDG_CONFIG_HOME, HOME, SHAREXPRESS_DEBUG): every command gets it as
// ctx.env, as the server's code gets a validated AppConfig.
const ENV = process.env;

async function loadCommand(name: string): Promise<CommandModule> {
  const url = new URL(`./commands/${name}.ts`, import.meta.url);
  // In a built package the modules are .js next to this file.
  const file = import.meta.url.endsWith('.js') ? url.href.replace(/\.ts$/, '.js') : url.href;
  try {
    return (await import(file)) as CommandModule;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(`${name}.`)) {
      throw new CliError(
        `The \`${name}\` command is not available in this build (its module is missing).`,
        EXIT.FAILURE,
        'NO_COMMAND',
      );
    }
    throw err;
  }
}

async function main(argv: readonly string[], out: { set(o: Output): void }): Promise<number> {
  const global = splitGlobal(argv);
  const output = createOutput(global.json);
  out.set(output);
  const { version } = await import('./core/version.ts');
  if (global.version && global.command === undefined) {
    process.stdout.write(
      global.json ? JSON.stringify({ version: version() }) + '\n' : `${version()}\n`,
    );
    return EXIT.OK;
  }
  const name = global.command;
  if (name === 'help') {
    const topic = global.rest[0];
    if (topic === undefined) {
      process.stdout.write(mainHelp(version()));
      return EXIT.OK;
    }
    return printCommandHelp(topic);
  }
  if (name === undefined) {
    process.stdout.write(mainHelp(version()));
    return global.help ? EXIT.OK : EXIT.USAGE;
  }
  if (!COMMAND_NAMES.has(name)) {
    const guess = suggest(name);
    throw new CliError(
      `Unknown command: ${name}.${guess ? ` Did you mean \`${guess}\`?` : ''} See \`sharexpress --help\`.`,
      EXIT.USAGE,
      'USAGE',
    );
  }
  if (global.help) return printCommandHelp(name);

  const server = resolveServer(global.server, ENV);
  const command = await loadCommand(name);
  ranCommand = true;
  const stop = new AbortController();
  const interrupt = (): void => {
    if (stop.signal.aborted) process.exit(EXIT.INTERRUPTED); // a second Ctrl-C: now
    stop.abort(new CliError('Interrupted.', EXIT.INTERRUPTED, 'INTERRUPTED'));
    // A question still waiting for its answer gets none (null, as at end of input).
    void import('./core/prompt.ts').then((m) => m.closePrompt());
    // The command gets a moment to say what it leaves behind, then the process goes.
    setTimeout(() => process.exit(EXIT.INTERRUPTED), 3000).unref();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  const ctx: CommandContext = {
    args: global.rest,
    server,
    serverSource: global.server !== undefined ? 'flag' : ENV.SHAREXPRESS_URL ? 'env' : 'default',
    json: global.json,
    out: output,
    env: ENV,
    signal: stop.signal,
  };
  try {
    const code = (await command.run(ctx)) ?? EXIT.OK;
    return stop.signal.aborted ? EXIT.INTERRUPTED : code;
  } catch (err) {
    if (stop.signal.aborted) return EXIT.INTERRUPTED;
    throw err;
  }
}

async function printCommandHelp(name: string): Promise<number> {
  if (!COMMAND_NAMES.has(name)) {
    throw new CliError(
      `Unknown command: ${name}. See \`sharexpress --help\`.`,
      EXIT.USAGE,
      'USAGE',
    );
  }
  let text: string | undefined;
  try {
    text = (await loadCommand(name)).help;
  } catch {
    text = undefined;
  }
  process.stdout.write(text ?? fallbackHelp(name));
  return EXIT.OK;
}

function report(err: unknown, output: Output | null, json: boolean): number {
  const error =
    err instanceof CliError
      ? err
      : new CliError(err instanceof Error ? err.message : String(err), EXIT.FAILURE, 'INTERNAL');
  if (json) {
    process.stdout.write(
      JSON.stringify({
        event: 'error',
        code: error.code ?? null,
        message: error.message,
        exitCode: error.exitCode,
      }) + '\n',
    );
  }
  if (!(err instanceof CliError) && ENV.SHAREXPRESS_DEBUG && err instanceof Error) {
    process.stderr.write(`${err.stack ?? ''}\n`);
  }
  (output ?? createOutput(false)).info(`sharexpress: ${error.message}`);
  if (json) process.stderr.write(`sharexpress: ${error.message}\n`);
  return error.exitCode;
}

let output: Output | null = null;
let ranCommand = false;
const argv = process.argv.slice(2);
let code: number;
try {
  code = await main(argv, { set: (o) => (output = o) });
} catch (err) {
  code = report(err, output, argv.includes('--json'));
}
if (ranCommand) (await import('./core/prompt.ts')).closePrompt();
process.exitCode = code;
// Whatever a command left open (a socket, stdin), the process ends shortly after its answer.
setTimeout(() => process.exit(code), 500).unref();
