import { HttpException } from '@nestjs/common';
import type { FieldProblem } from './field-problem';

/** RFC 9457 problem details as sent by every app. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  request_id?: string;
  errors?: FieldProblem[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://auditlog.dev/problems/';

/**
 * Thrown by services for any client-visible failure. The filter turns it into a problem
 * document; `headers` (e.g. Retry-After) are copied to the response.
 */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldProblem[],
    readonly headers: Record<string, string> = {},
    /** Extra members of the problem document (RFC 9457 extensions), e.g. a `hint`. */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title, status);
  }

  static badRequest(detail: string, errors?: FieldProblem[]): ProblemException {
    return new ProblemException(400, 'validation-failed', 'Request is invalid', detail, errors);
  }

  static unavailable(detail: string, retryAfterSeconds: number): ProblemException {
    return new ProblemException(
      503,
      'storage-unavailable',
      'Service Unavailable',
      detail,
      undefined,
      {
        'Retry-After': String(retryAfterSeconds),
      },
    );
  }
}
