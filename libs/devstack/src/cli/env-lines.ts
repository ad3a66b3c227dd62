// KEY=value lines that survive both `eval "$(npm run -s devstack)"` and a .env file: plain when
// the value is shell-safe (the usual case), otherwise single-quoted with embedded quotes escaped.
const SHELL_SAFE = /^[A-Za-z0-9_./:@%+,=-]*$/;

export function envLine(name: string, value: string): string {
  if (SHELL_SAFE.test(value)) return `${name}=${value}`;
  return `${name}='${value.replace(/'/g, `'\\''`)}'`;
}
