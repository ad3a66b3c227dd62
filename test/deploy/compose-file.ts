// docker-compose.yml as Docker Compose reads it: YAML with merge keys, then ${VAR} interpolation
// of every string, with the defaults written in the file (no .env: a fresh checkout).
import { isRecord, listAt, parseYaml, readRepoFile } from './repo-files.js';

type Env = Readonly<Record<string, string | undefined>>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Compose's interpolation: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, :? ? :+ +. */
export function interpolate(text: string, env: Env): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c !== '$') {
      out += c;
      i += 1;
    } else if (text[i + 1] === '$') {
      out += '$';
      i += 2;
    } else if (text[i + 1] === '{') {
      let depth = 1;
      let j = i + 2;
      for (; j < text.length && depth > 0; j += 1) {
        if (text[j] === '{') depth += 1;
        if (text[j] === '}') depth -= 1;
      }
      if (depth !== 0) throw new Error(`unterminated \${ in ${text}`);
      out += expand(text.slice(i + 2, j - 1), env);
      i = j;
    } else {
      const name = NAME.exec(text.slice(i + 1))?.[0];
      out += name === undefined ? '$' : (env[name] ?? '');
      i += 1 + (name?.length ?? 0);
    }
  }
  return out;
}

function expand(body: string, env: Env): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])([\s\S]*))?$/.exec(body);
  if (m === null) throw new Error(`invalid interpolation \${${body}}`);
  const [, name = '', colon, op, arg = ''] = m;
  const value = env[name];
  const unset = value === undefined || (colon === ':' && value === '');
  if (op === '-') return unset ? interpolate(arg, env) : (value ?? '');
  if (op === '+') return unset ? '' : interpolate(arg, env);
  if (op === '?' && unset) throw new Error(`${name} is required: ${arg}`);
  return value ?? '';
}

function interpolateTree(node: unknown, env: Env): unknown {
  if (typeof node === 'string') return interpolate(node, env);
  if (Array.isArray(node)) return node.map((n: unknown) => interpolateTree(n, env));
  if (isRecord(node)) {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateTree(v, env)]));
  }
  return node;
}

export interface ComposeService {
  name: string;
  raw: Record<string, unknown>;
  /** `environment`, as strings; a variable listed without a value is left out. */
  environment: Record<string, string>;
  networks: string[];
  volumes: { source: string; target: string; readOnly: boolean }[];
  ports: { hostIp: string; hostPort: string; containerPort: string }[];
  command: string[];
}

export interface ComposeFile {
  services: Map<string, ComposeService>;
  raw: Record<string, unknown>;
}

function environmentOf(value: unknown): Record<string, string> {
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((line) => {
        const [k = '', ...rest] = String(line).split('=');
        return [k, rest.length > 0 ? rest.join('=') : null];
      })
    : Object.entries(isRecord(value) ? value : {});
  const env: Record<string, string> = {};
  for (const [k, v] of entries) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
      env[k] = String(v);
  }
  return env;
}

function volumeOf(entry: unknown): ComposeService['volumes'][number] {
  if (isRecord(entry)) {
    return {
      source: typeof entry.source === 'string' ? entry.source : '',
      target: typeof entry.target === 'string' ? entry.target : '',
      readOnly: entry.read_only === true,
    };
  }
  const [source = '', target = '', mode = ''] = String(entry).split(':');
  return { source, target, readOnly: mode.split(',').includes('ro') };
}

function portOf(entry: unknown): ComposeService['ports'][number] {
  const parts = String(entry).split('/')[0]?.split(':') ?? [];
  const containerPort = parts.pop() ?? '';
  const hostPort = parts.pop() ?? containerPort;
  return { hostIp: parts.pop() ?? '0.0.0.0', hostPort, containerPort };
}

function serviceOf(name: string, raw: Record<string, unknown>): ComposeService {
  const networks = raw.networks;
  return {
    name,
    raw,
    environment: environmentOf(raw.environment),
    networks: Array.isArray(networks)
      ? networks.map(String)
      : Object.keys(isRecord(networks) ? networks : { default: null }),
    volumes: listAt(raw, 'volumes').map(volumeOf),
    ports: listAt(raw, 'ports').map(portOf),
    command: listAt(raw, 'command').map(String),
  };
}

/** docker-compose.yml, interpolated with `env` (default: nothing set, the file's defaults). */
export function loadCompose(env: Env = {}): ComposeFile {
  const raw = interpolateTree(parseYaml(readRepoFile('docker-compose.yml')), env);
  if (!isRecord(raw) || !isRecord(raw.services)) throw new Error('compose file has no services');
  const services = new Map(
    Object.entries(raw.services).map(([name, s]) => [name, serviceOf(name, isRecord(s) ? s : {})]),
  );
  return { services, raw };
}

/** The service, or a failure naming it. */
export function service(compose: ComposeFile, name: string): ComposeService {
  const found = compose.services.get(name);
  if (found === undefined) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}
