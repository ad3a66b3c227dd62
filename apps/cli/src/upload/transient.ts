// Worth another try: nothing answered, or storage or the API was busy or down.
import { CliError, EXIT } from '../core/errors.ts';
import { PutError } from './put.ts';

export function isTransient(error: unknown): boolean {
  if (error instanceof PutError) {
    return error.status === 0 || error.status === 429 || error.status >= 500;
  }
  if (error instanceof CliError) {
    // 503 or no answer; STORAGE_UNAVAILABLE is not: the server has waited already, say so at once.
    return error.exitCode === EXIT.UNAVAILABLE && error.code !== 'STORAGE_UNAVAILABLE';
  }
  return false;
}
