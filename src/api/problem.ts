/**
 * Errors as RFC 9457 problem+json. Services throw HttpProblem (or a ZodError); the one error
 * middleware renders them and masks everything else as a 500 without internals.
 */
import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from 'pino';

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

export const notFound = (what = 'Resource') => new HttpProblem(404, 'Not Found', `${what} not found.`);
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

export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let problem: HttpProblem;
    if (err instanceof HttpProblem) problem = err;
    else if (err instanceof ZodError) problem = validationProblem(err, 'body');
    else if (isBodyParserError(err)) {
      const [status, title, detail] =
        err.type === 'entity.too.large'
          ? [413, 'Content Too Large', 'The request body is too large.']
          : [400, 'Bad Request', 'The request body is not valid JSON.'];
      problem = new HttpProblem(status, title, detail, { errors: [{ field: 'body', message: detail }] });
    } else {
      // Internals never leave the process; the log has them with the request id.
      logger.error({ err, reqId: req.id, path: req.path }, 'unhandled error');
      problem = new HttpProblem(
        500,
        'Internal Server Error',
        'Something went wrong; nothing was lost. Retry later.',
      );
    }
    if (res.headersSent) return;
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
