/**
 * Errors as RFC 9457 problem+json. Services throw the domain's errors, routes throw HttpProblem (or a
 * ZodError); the one error middleware maps the first to HTTP here, renders all of them, and masks
 * everything else as a 500 without internals.
 */
import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from 'pino';
import {
  Conflict,
  DomainError,
  InvalidInput,
  InvalidCursor,
  NotFound,
  Rejected,
  TryLater,
  Unavailable,
  type RejectionReason,
} from '../domain/index.js';

export interface FieldError {
  field: string;
  message: string;
}

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
  }
}

export const notFound = (what = 'Resource') => domainProblem(new NotFound(what));
export const unauthorized = (
  detail = 'A valid API key (Authorization: Bearer <key>) or session (POST /v1/session) is required.',
) => new HttpProblem(401, 'Unauthorized', detail);

export function validationProblem(
  err: ZodError,
  where: 'body' | 'query' | 'params' | 'headers',
): HttpProblem {
  const errors: FieldError[] = err.issues.flatMap((i) =>
    // An unknown key is reported on its parent object; name the key itself, so clients can point at it.
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ field: [...i.path, key].join('.'), message: `Unrecognized key: "${key}"` }))
      : [{ field: i.path.length ? i.path.join('.') : where, message: i.message }],
  );
  const first = errors[0];
  return new HttpProblem(
    422,
    'Unprocessable Content',
    first ? `Invalid ${where}: ${first.field}: ${first.message}` : `Invalid ${where}.`,
    { errors },
  );
}

/** How a refused job is answered: no credits → 402, a cap → 429, the spend breaker → 503. */
const REJECTION_STATUS: Readonly<Record<RejectionReason, [number, string]>> = {
  insufficient_credits: [402, 'Payment Required'],
  concurrency_cap: [429, 'Too Many Requests'],
  daily_cap: [429, 'Too Many Requests'],
  breaker_open: [503, 'Service Unavailable'],
};

/** The one mapping from the domain's errors to HTTP. */
export function domainProblem(err: DomainError): HttpProblem {
  if (err instanceof NotFound) return new HttpProblem(404, 'Not Found', err.message);
  if (err instanceof Conflict) return new HttpProblem(409, 'Conflict', err.message, err.details);
  if (err instanceof Unavailable) return new HttpProblem(404, 'Not Found', err.message, err.details);
  if (err instanceof TryLater) {
    return new HttpProblem(503, 'Service Unavailable', err.message, { retryAfter: err.retryAfterSeconds });
  }
  if (err instanceof Rejected) {
    const [status, title] = REJECTION_STATUS[err.reason];
    return new HttpProblem(status, title, err.message, { jobId: err.jobId, reason: err.reason });
  }
  if (err instanceof InvalidInput) {
    return new HttpProblem(422, 'Unprocessable Content', `Invalid ${err.field}: ${err.message}.`, {
      errors: [{ field: err.field, message: err.message }],
    });
  }
  if (err instanceof InvalidCursor) {
    return new HttpProblem(422, 'Unprocessable Content', `Invalid query: cursor: ${err.message}.`, {
      errors: [{ field: 'cursor', message: err.message }],
    });
  }
  return new HttpProblem(
    500,
    'Internal Server Error',
    'Something went wrong; nothing was lost. Retry later.',
  );
}

export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) {
      // Too late for a problem body (a download whose file failed mid-way): the log has the error, and
      // the client sees the connection closed instead of a response that pretends to be complete.
      logger.warn({ err, reqId: req.id, path: req.path }, 'response failed after its headers were sent');
      if (!res.destroyed) res.destroy();
      return;
    }
    let problem: HttpProblem;
    if (err instanceof HttpProblem) problem = err;
    else if (err instanceof DomainError) problem = domainProblem(err);
    else if (err instanceof ZodError) problem = validationProblem(err, 'body');
    else if (isBodyParserError(err)) {
      const [status, title, detail] =
        err.type === 'entity.too.large'
          ? [413, 'Content Too Large', 'The request body is too large.']
          : [400, 'Bad Request', 'The request body is not valid JSON.'];
      problem = new HttpProblem(status, title, detail, { errors: [{ field: 'body', message: detail }] });
    } else if (err instanceof URIError) {
      // The router could not percent-decode a path parameter (`/v1/videos/%zz`).
      problem = new HttpProblem(400, 'Bad Request', 'The path is not valid percent-encoded UTF-8.', {
        errors: [{ field: 'path', message: 'not valid percent-encoded UTF-8' }],
      });
    } else {
      // Internals never leave the process; the log has them with the request id.
      logger.error({ err, reqId: req.id, path: req.path }, 'unhandled error');
      problem = new HttpProblem(
        500,
        'Internal Server Error',
        'Something went wrong; nothing was lost. Retry later.',
      );
    }
    if (err instanceof TryLater) res.setHeader('Retry-After', String(err.retryAfterSeconds));
    res
      .status(problem.status)
      .type('application/problem+json')
      .json({
        type: 'about:blank',
        title: problem.title,
        status: problem.status,
        detail: problem.detail,
        ...problem.extra,
      });
  };
}

function isBodyParserError(err: unknown): err is { type: string; status: number } {
  return (
    typeof err === 'object' &&
    err !== null &&
    'type' in err &&
    'status' in err &&
    typeof err.type === 'string'
  );
}
