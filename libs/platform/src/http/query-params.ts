import { ProblemException } from '@auditlog/problem';

/**
 * A query parameter that may be given at most once: its value, `undefined` when absent or
 * empty, and 400 when repeated.
 */
export function singleQueryParam(
  params: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const raw = params[name];
  if (Array.isArray(raw)) {
    throw ProblemException.badRequest(`${name} may be given once.`, [
      { path: name, message: `${name} may be given once` },
    ]);
  }
  return raw === '' ? undefined : raw;
}
