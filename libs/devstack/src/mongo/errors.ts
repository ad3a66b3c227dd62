// MongoDB's error codes and the one error type every layer throws. The command dispatcher turns
// a MongoServerError into `{ ok: 0, errmsg, code, codeName }`, so a refusal always has the shape
// the driver expects.

export const ErrorCode = {
  InternalError: 1,
  BadValue: 2,
  NoSuchKey: 4,
  FailedToParse: 9,
  TypeMismatch: 14,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  PathNotViable: 28,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  Unauthorized: 13,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  CommandNotSupported: 115,
  QueryFeatureNotAllowed: 224,
  NotImplemented: 238,
  DuplicateKey: 11000,
  UnknownField: 40415,
  InvalidPipelineOperator: 168,
  UnknownGroupOperator: 15952,
  UnrecognizedPipelineStage: 40324,
  Location40323: 40323,
  InvalidIdField: 53,
  CannotCreateIndex: 67,
  InvalidIndexSpecificationOption: 197,
  Location16410: 16410,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

const codeNames = new Map<number, string>([
  [1, 'InternalError'],
  [2, 'BadValue'],
  [4, 'NoSuchKey'],
  [9, 'FailedToParse'],
  [14, 'TypeMismatch'],
  [20, 'IllegalOperation'],
  [26, 'NamespaceNotFound'],
  [27, 'IndexNotFound'],
  [28, 'PathNotViable'],
  [40, 'ConflictingUpdateOperators'],
  [43, 'CursorNotFound'],
  [13, 'Unauthorized'],
  [48, 'NamespaceExists'],
  [53, 'InvalidIdField'],
  [67, 'CannotCreateIndex'],
  [197, 'InvalidIndexSpecificationOption'],
  [59, 'CommandNotFound'],
  [66, 'ImmutableField'],
  [72, 'InvalidOptions'],
  [73, 'InvalidNamespace'],
  [85, 'IndexOptionsConflict'],
  [86, 'IndexKeySpecsConflict'],
  [115, 'CommandNotSupported'],
  [224, 'QueryFeatureNotAllowed'],
  [238, 'NotImplemented'],
  [11000, 'DuplicateKey'],
  [40415, 'Location40415'],
  [168, 'InvalidPipelineOperator'],
  [40324, 'Location40324'],
  [16410, 'Location16410'],
]);

export function codeNameOf(code: number): string {
  return codeNames.get(code) ?? `Location${code}`;
}

/** An error with MongoDB's code; `extra` fields (keyPattern, keyValue…) are copied into replies. */
export class MongoServerError extends Error {
  readonly code: number;
  readonly codeName: string;
  readonly extra: Record<string, unknown>;

  constructor(code: number, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = 'MongoServerError';
    this.code = code;
    this.codeName = codeNameOf(code);
    this.extra = extra;
  }
}

export function fail(code: number, message: string, extra?: Record<string, unknown>): never {
  throw new MongoServerError(code, message, extra);
}

/** Turns anything thrown (mingo errors included) into a MongoServerError. */
export function toServerError(err: unknown): MongoServerError {
  if (err instanceof MongoServerError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new MongoServerError(ErrorCode.BadValue, message);
}

export function errorReply(err: MongoServerError): Record<string, unknown> {
  return { ok: 0, errmsg: err.message, code: err.code, codeName: err.codeName, ...err.extra };
}
