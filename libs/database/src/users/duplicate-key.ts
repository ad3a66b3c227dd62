// MongoDB's duplicate-key error (E11000), however the driver or Mongoose wraps it.
export const isDuplicateKey = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
