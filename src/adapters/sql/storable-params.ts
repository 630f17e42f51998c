/**
 * Thrown before a query whose parameters hold a NUL character (U+0000), which PostgreSQL text
 * and jsonb cannot hold. Sent anyway, such a value fails with an encoding error that a caller
 * cannot tell from a broken database (the API answered 500); refused by name, it is a 400 with a
 * reason, on both drivers alike. Values the pipelines store are checked earlier, field by field;
 * this catches the rest, such as a search term.
 */
export class UnstorableTextError extends Error {
  constructor(readonly parameter: number) {
    super(
      `a value holds a NUL character (\\u0000), which cannot be stored or searched for (parameter $${parameter})`,
    );
    this.name = 'UnstorableTextError';
  }
}

/** Throws {@link UnstorableTextError} when a parameter, or a string inside one, holds a NUL. */
export function assertStorableParams(params: readonly unknown[]): void {
  params.forEach((value, index) => {
    if (holdsNul(value)) throw new UnstorableTextError(index + 1);
  });
}

function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(holdsNul);
  // A plain object is sent as JSON (jsonb): its keys and values are text too.
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.entries(value).some(([key, inner]) => key.includes('\u0000') || holdsNul(inner));
  }
  return false;
}
