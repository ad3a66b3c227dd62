import type { OpenAPIObject } from '@nestjs/swagger';
import {
  ERROR_STATUS,
  PROBLEM_CONTENT_TYPE,
  problemTitle,
  problemType,
  type ErrorCode,
} from '@app/common';

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;
type Response = Operation['responses'][string];

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

// What a status means when a response's description names no code of its own.
const DEFAULT_CODE: Readonly<Record<number, ErrorCode>> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  410: 'GONE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

const isErrorCode = (word: string): word is ErrorCode => Object.hasOwn(ERROR_STATUS, word);

/** The codes a response's description names (e.g. "… (SESSION_EXPIRED)") that fit its status. */
function codesFor(status: number, description: string): ErrorCode[] {
  const words: string[] = description.match(/\b[A-Z][A-Z_]{2,}\b/g) ?? [];
  const named = words.filter(isErrorCode).filter((code) => ERROR_STATUS[code] === status);
  const fallback = DEFAULT_CODE[status];
  const codes = named.length > 0 ? named : fallback === undefined ? [] : [fallback];
  return [...new Set(codes)];
}

const example = (status: number, code: ErrorCode, detail: string) => ({
  summary: code,
  value: {
    type: problemType(code),
    title: problemTitle(code),
    status,
    detail,
    code,
    requestId: '4f1c2d7e-8a0b-4c55-9a51-0c8f3e5d2b71',
  },
});

/**
 * Gives every error response of every operation the problem+json body: the Problem schema and
 * one example per code its description names (or the status's usual code), so a client sees
 * exactly what each error looks like. Operations keep a `default` error response as well.
 */
export function addProblemBodies(document: OpenAPIObject): void {
  for (const path of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = path[method];
      if (operation === undefined) continue;
      for (const [key, response] of Object.entries(operation.responses)) {
        const status = Number(key);
        // A response that documents its own body (readiness's Terminus 503) keeps it.
        if (response === undefined || !Number.isInteger(status) || status < 400) continue;
        if ('$ref' in response || response.content !== undefined) continue;
        const description = response.description ?? '';
        const examples = Object.fromEntries(
          codesFor(status, description).map((code) => [code, example(status, code, description)]),
        );
        operation.responses[key] = {
          ...response,
          description,
          content: { [PROBLEM_CONTENT_TYPE]: { schema: PROBLEM_REF, examples } },
        } satisfies Response;
      }
      operation.responses.default ??= {
        description: 'Error (problem+json)',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: PROBLEM_REF } },
      };
    }
  }
}
