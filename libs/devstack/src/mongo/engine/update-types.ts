// Type rules of update operators that mingo does not enforce: arithmetic only on numbers (14),
// array operators only on arrays (2), and the result type of $inc/$mul (int + int = int,
// overflow widens to long, a double or decimal operand wins).
import type { Document } from 'bson';
import { ErrorCode, fail } from '../errors.js';
import { parentOf } from './paths.js';
import { bsonTypeOf } from './type-operator.js';
import { setTag } from './values.js';

type Mods = Record<string, Record<string, unknown>>;

const ARRAY_OPS: Record<string, (path: string, type: string) => [number, string]> = {
  $push: (p, t) => [ErrorCode.BadValue, `The field '${p}' must be an array but is of type ${t}`],
  $addToSet: (p, t) => [
    ErrorCode.BadValue,
    `Cannot apply $addToSet to non-array field. Field named '${p}' has non-array type ${t}`,
  ],
  $pull: () => [ErrorCode.BadValue, 'Cannot apply $pull to a non-array value'],
  $pullAll: () => [ErrorCode.BadValue, 'Cannot apply $pullAll to a non-array value'],
  $pop: (p, t) => [
    ErrorCode.TypeMismatch,
    `Path '${p}' contains an element of non-array type '${t}'`,
  ],
};

function current(doc: Document, path: string): { value: unknown; type: string } | undefined {
  if (path.includes('$')) return undefined;
  const at = parentOf(doc, path);
  if (!at) return undefined;
  const value = (at[0] as Record<string, unknown>)[at[1]];
  if (value === undefined) return undefined;
  return { value, type: bsonTypeOf(at[0], at[1], value) };
}

export function checkOperandTypes(doc: Document, mods: Mods): void {
  for (const op of ['$inc', '$mul'] as const) {
    const arg = mods[op];
    if (!arg) continue;
    for (const [path, v] of Object.entries(arg)) {
      if (typeof v !== 'number') {
        fail(
          ErrorCode.TypeMismatch,
          `Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${JSON.stringify(v)}}`,
        );
      }
      const cur = current(doc, path);
      if (cur && typeof cur.value !== 'number') {
        fail(
          ErrorCode.TypeMismatch,
          `Cannot apply ${op} to a value of non-numeric type. {_id: ${JSON.stringify(String(doc['_id']))}} has the field '${path}' of non-numeric type ${cur.type}`,
        );
      }
    }
  }
  for (const [op, message] of Object.entries(ARRAY_OPS)) {
    for (const path of Object.keys(mods[op] ?? {})) {
      const cur = current(doc, path);
      if (cur && !Array.isArray(cur.value)) {
        const [code, msg] = message(path, cur.type);
        fail(code, `${msg} in document {_id: ${JSON.stringify(String(doc['_id']))}}`);
      }
    }
  }
}

const RANK: Record<string, number> = { int: 0, long: 1, double: 2, decimal: 3 };

/** Snapshot of the operand types of $inc/$mul paths, taken before the update is applied. */
export function arithmeticTypes(doc: Document, mods: Mods): Map<string, string> {
  const out = new Map<string, string>();
  for (const op of ['$inc', '$mul']) {
    for (const [path, arg] of Object.entries(mods[op] ?? {})) {
      const argType = bsonTypeOf(mods[op], path, arg);
      const cur = current(doc, path);
      const curType = cur ? cur.type : op === '$mul' ? 'int' : argType;
      out.set(path, RANK[curType] >= RANK[argType] ? curType : argType);
    }
  }
  return out;
}

/** Tags each arithmetic result with the BSON type MongoDB would give it. */
export function applyArithmeticTypes(doc: Document, types: Map<string, string>): void {
  for (const [path, type] of types) {
    const at = parentOf(doc, path);
    if (!at) continue;
    const v = (at[0] as Record<string, unknown>)[at[1]];
    if (typeof v !== 'number') continue;
    const fitsInt = Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff;
    if (type === 'int') setTag(at[0], at[1], fitsInt ? undefined : 'long');
    else if (type === 'long') setTag(at[0], at[1], 'long');
    else if (type === 'double') setTag(at[0], at[1], 'double');
    else setTag(at[0], at[1], { decimal: String(v), n: v });
  }
}
