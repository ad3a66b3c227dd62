import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { AppError } from '../errors/app-error.js';
import { findMalformedText } from './text.js';

const SOURCES = new Set<ArgumentMetadata['type']>(['body', 'query', 'param']);

/**
 * Refuses, with `400 VALIDATION_FAILED`, any body, query or path value that holds a string (or
 * an object key) that is not well-formed UTF-16, i.e. a lone surrogate such as `"\udfff"`.
 * Such a string cannot be stored as UTF-8 without turning into U+FFFD, so two different inputs
 * would become one, and some validators throw on it. Runs on every route, whatever its DTO says.
 */
@Injectable()
export class WellFormedTextPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (!SOURCES.has(metadata.type)) return value;
    const path = findMalformedText(value);
    if (path === undefined) return value;
    const field = [metadata.data, path].filter((p) => p !== undefined && p !== '').join('.');
    throw new AppError('VALIDATION_FAILED', 'The request is invalid.', {
      errors: [
        {
          field: field === '' ? metadata.type : field,
          message: `${field === '' ? metadata.type : field} must be well-formed Unicode text (a lone UTF-16 surrogate is not)`,
        },
      ],
    });
  }
}
