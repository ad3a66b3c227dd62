// The Dockerfile as instructions grouped by stage: enough to check what each stage copies, runs
// and declares, without a Docker engine.
import { readRepoFile } from './repo-files.js';

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  /** The image or stage it starts from, as written. */
  from: string;
  name: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM, with their defaults. */
  globalArgs: Map<string, string | undefined>;
  stages: Stage[];
}

export function parseDockerfile(text = readRepoFile('Dockerfile')): Dockerfile {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const globalArgs = new Map<string, string | undefined>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') {
      const [from = '', as, name] = rest;
      stages.push({
        from,
        name: as?.toUpperCase() === 'AS' && name !== undefined ? name : String(stages.length),
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (instruction.keyword === 'ARG') {
        const [name = '', value] = instruction.args.split('=');
        globalArgs.set(name, value);
      }
    } else {
      stages[stages.length - 1]?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

export const instructionsOf = (stage: Stage, keyword: string): Instruction[] =>
  stage.instructions.filter((i) => i.keyword === keyword);

export interface Copy {
  from: string | undefined;
  sources: string[];
  dest: string;
}

/** The COPY instructions of a stage, with --from (if any) and their sources. */
export function copiesOf(stage: Stage): Copy[] {
  return instructionsOf(stage, 'COPY').map(({ args }) => {
    const words = args.split(/\s+/);
    const flags = words.filter((w) => w.startsWith('--'));
    const paths = words.filter((w) => !w.startsWith('--'));
    const dest = paths.pop() ?? '';
    const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
    return { from, sources: paths, dest };
  });
}

/** The JSON (exec) form of CMD, ENTRYPOINT or HEALTHCHECK CMD, or a failure. */
export function execForm(args: string, what: string): string[] {
  const json = args.slice(args.indexOf('['));
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) {
    throw new Error(`${what} is not in exec form: ${args}`);
  }
  return parsed;
}

/** The LABELs of a stage: key=value pairs, quotes removed. */
export function labelsOf(stage: Stage): Map<string, string> {
  const labels = new Map<string, string>();
  for (const { args } of instructionsOf(stage, 'LABEL')) {
    for (const m of args.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S+)/g)) {
      const [, key = '', value = ''] = m;
      labels.set(key, value.replace(/^"|"$/g, ''));
    }
  }
  return labels;
}
