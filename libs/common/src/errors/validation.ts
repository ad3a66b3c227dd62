import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { AppError, type FieldError } from './app-error.js';

/** Flattens class-validator's tree into `{ field: 'items.0.name', message }` entries. */
export function toFieldErrors(errors: readonly ValidationError[], parent = ''): FieldError[] {
  const result: FieldError[] = [];
  for (const error of errors) {
    const field = parent === '' ? error.property : `${parent}.${error.property}`;
    for (const message of Object.values(error.constraints ?? {})) {
      result.push({ field, message });
    }
    result.push(...toFieldErrors(error.children ?? [], field));
  }
  return result;
}

/**
 * The global pipe: DTOs are whitelisted (unknown fields are refused, not silently dropped) and
 * transformed; failures become `400 VALIDATION_FAILED` with one entry per field problem.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // Never echo the rejected value back (it may be a password).
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new AppError('VALIDATION_FAILED', 'The request is invalid.', {
        errors: toFieldErrors(errors),
      }),
  });
}
