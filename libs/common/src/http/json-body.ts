import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.js';

/**
 * Shape limits of a JSON body, checked before it is parsed. Validation (class-transformer,
 * class-validator) recurses once per level and works once per key and element, so these bound
 * its stack and its work. Our DTOs are a few levels deep with a handful of fields.
 */
export interface JsonLimits {
  /** Nesting of objects and arrays; the body itself is level 1. */
  maxDepth: number;
  /** Object members, counted over the whole body. */
  maxKeys: number;
  /** Array elements, counted over the whole body. */
  maxItems: number;
}

// Validating 1,000 array elements against a DTO takes ~20 ms; 10,000 would take ~200 ms.
export const JSON_LIMITS: JsonLimits = { maxDepth: 32, maxKeys: 1000, maxItems: 1000 };

export type JsonLimitExceeded = 'depth' | 'keys' | 'items';

/**
 * The first limit `text` exceeds, or undefined. One linear pass with no recursion and no
 * allocation; it does not judge validity (JSON.parse does, afterwards). Outside strings a `:`
 * is one object member; an array holds one element more than its commas, if any.
 */
export function jsonLimitExceeded(
  text: string,
  limits: JsonLimits = JSON_LIMITS,
): JsonLimitExceeded | undefined {
  // inArray[d]: whether the container at depth d is an array (d <= maxDepth by construction).
  const inArray: boolean[] = [];
  let depth = 0;
  let keys = 0;
  let items = 0;
  // Just after '[': the next token is the first element, unless it is ']'.
  let firstPending = false;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    if (firstPending) {
      firstPending = false;
      if (c !== 0x5d /* ] */ && ++items > limits.maxItems) return 'items';
    }
    if (c === 0x22 /* " */) {
      // Skip the string, escapes included; an unterminated one ends the scan.
      for (i++; i < length; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c /* \ */) i++;
        else if (s === 0x22) break;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limits.maxDepth) return 'depth';
      inArray[depth] = c === 0x5b;
      firstPending = c === 0x5b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (depth > 0) depth--;
    } else if (c === 0x3a /* : */) {
      if (++keys > limits.maxKeys) return 'keys';
    } else if (c === 0x2c /* , */) {
      if (inArray[depth] === true && ++items > limits.maxItems) return 'items';
    }
  }
  return undefined;
}

const DETAIL: Record<JsonLimitExceeded, (limits: JsonLimits) => string> = {
  depth: (l) => `The body is nested deeper than ${String(l.maxDepth)} levels.`,
  keys: (l) => `The body has more than ${String(l.maxKeys)} object keys.`,
  items: (l) => `The body has more than ${String(l.maxItems)} array elements.`,
};

/**
 * Replaces Fastify's `application/json` parser by one that refuses a body over `limits` with
 * `400 BODY_TOO_COMPLEX` before parsing it, then parses as Fastify does (secure-json-parse:
 * `__proto__` and `constructor.prototype` keys are a 400, an empty body too).
 */
export function useBoundedJsonParser(
  fastify: FastifyInstance,
  limits: JsonLimits = JSON_LIMITS,
): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    const exceeded = jsonLimitExceeded(text, limits);
    if (exceeded !== undefined) {
      done(new AppError('BODY_TOO_COMPLEX', DETAIL[exceeded](limits)), undefined);
      return;
    }
    // Fastify's parser answers through done (it is synchronous).
    void parse(request, text, done);
  });
}
