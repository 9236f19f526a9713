import type { ErrorRequestHandler, RequestHandler } from 'express';
import { MulterError } from 'multer';
import { ZodError } from 'zod';

import { databaseFailureOf, type DatabaseFailure } from '../platform/db/errors';
import { storageFailureOf, type StorageFailure } from '../platform/storage/errors';
import { AppError, ERROR_TABLE, type ErrorCode, type ErrorDetail } from '../shared/errors';
import type { Logger } from '../shared/logger';
import type { Metrics } from './metrics';
import { requestIdOf, routeTemplateOf } from './request-context';
import { discardUnclaimedUpload } from './upload';

export function zodDetails(error: ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

/** The first issue as a sentence: "password: Too short" or, for whole-object rules, the rule's own text. */
export function zodMessage(error: ZodError): string {
  const [first] = error.issues;
  if (!first) return ERROR_TABLE.VALIDATION_FAILED.message;
  return first.path.length > 0 ? `${first.path.join('.')}: ${first.message}` : first.message;
}

const MULTER_ERRORS: Record<string, AppError> = {
  LIMIT_FILE_SIZE: new AppError('PAYLOAD_TOO_LARGE', 'The file is larger than the upload limit.'),
  LIMIT_PART_COUNT: new AppError('PAYLOAD_TOO_LARGE', 'The form has too many parts.'),
  LIMIT_FIELD_COUNT: new AppError('PAYLOAD_TOO_LARGE', 'The form has too many fields.'),
  LIMIT_FIELD_VALUE: new AppError('PAYLOAD_TOO_LARGE', 'A form field is too long.'),
  LIMIT_FIELD_KEY: new AppError('VALIDATION_FAILED', 'A form field name is too long.'),
  LIMIT_FILE_COUNT: new AppError('VALIDATION_FAILED', 'Send exactly one file, in the "image" field.'),
  LIMIT_UNEXPECTED_FILE: new AppError('VALIDATION_FAILED', 'Send exactly one file, in the "image" field.'),
};

/** body-parser marks its errors with `type`. */
const BODY_PARSER_ERRORS: Record<string, AppError> = {
  'entity.parse.failed': new AppError('INVALID_JSON'),
  'entity.too.large': new AppError('PAYLOAD_TOO_LARGE', 'The request body is larger than the limit.'),
  'encoding.unsupported': new AppError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported content encoding.'),
  'charset.unsupported': new AppError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported charset.'),
  'request.aborted': new AppError('VALIDATION_FAILED', 'The request was aborted.'),
  'request.size.invalid': new AppError('VALIDATION_FAILED', 'The request size does not match Content-Length.'),
};

/**
 * The router's error for a path parameter that does not percent-decode (`%ZZ`, or bytes that are
 * not UTF-8). Its own message quotes the parameter, a share key perhaps: never sent, never logged.
 */
const MALFORMED_PATH = new AppError(
  'VALIDATION_FAILED',
  'The URL is not valid: a percent sign must start an escape of two hex digits (%2F), and the escapes must spell UTF-8.',
);

/** A body the parsers could not read: most often not what its Content-Encoding says (zlib's failure). */
const UNREADABLE_BODY = new AppError(
  'VALIDATION_FAILED',
  'The request body could not be read: it does not match its Content-Encoding, or it ends too soon.',
);

/** A code of the table for a client status another library gave: the first of that status, or 400's. */
function codeOfStatus(status: number): ErrorCode {
  const codes = Object.keys(ERROR_TABLE) as ErrorCode[];
  return codes.find((code) => ERROR_TABLE[code].status === status) ?? 'VALIDATION_FAILED';
}

/**
 * An error the body parsers or the router made with a client status (http-errors' `status`, `expose`
 * for 4xx): that status with a sentence of ours, never theirs, which may quote the request.
 */
function clientErrorOf(error: object): AppError | null {
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  if (typeof status !== 'number' || status < 400 || status > 499) return null;
  if (error instanceof URIError) return MALFORMED_PATH;
  if (expose !== true) return null;
  const code = codeOfStatus(status);
  return code === 'VALIDATION_FAILED' ? UNREADABLE_BODY : new AppError(code);
}

/** Retry-After on a 503: the database may be back shortly. */
const RETRY = { headers: { 'Retry-After': '5' } };

/**
 * Failures of the database and of the storage, each its own typed kind (platform/db/errors.ts,
 * platform/storage/errors.ts), as the API answers them. A full disk is 507 and a database that
 * or a storage that cannot answer right now 503: neither is the client's fault, nor a bug.
 */
const DATABASE_FAILURES: Record<DatabaseFailure, () => AppError> = {
  'unique-violation': () => new AppError('CONFLICT'),
  'foreign-key': () => new AppError('CONFLICT', 'A related record does not exist or is still referenced.'),
  'record-missing': () => new AppError('NOT_FOUND'),
  unavailable: () => new AppError('SERVICE_UNAVAILABLE', undefined, RETRY),
};
const STORAGE_FAILURES: Record<StorageFailure, () => AppError> = {
  'not-found': () => new AppError('NOT_FOUND', 'Image file not found'),
  full: () => new AppError('INSUFFICIENT_STORAGE'),
  unavailable: () =>
    new AppError('SERVICE_UNAVAILABLE', 'The file storage does not answer right now. Try again later.', RETRY),
};

/** Maps any thrown value to a status and the one error shape. The only place that does so. */
export function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) {
    return new AppError('VALIDATION_FAILED', zodMessage(error), { details: zodDetails(error) });
  }
  if (error instanceof MulterError) {
    return MULTER_ERRORS[error.code] ?? new AppError('VALIDATION_FAILED', error.message);
  }
  if (typeof error === 'object' && error !== null) {
    const type = (error as { type?: unknown }).type;
    if (typeof type === 'string' && BODY_PARSER_ERRORS[type]) return BODY_PARSER_ERRORS[type];
    const client = clientErrorOf(error);
    if (client) return client;
    const storage = storageFailureOf(error);
    if (storage) return STORAGE_FAILURES[storage]();
    const database = databaseFailureOf(error);
    if (database) return DATABASE_FAILURES[database]();
  }
  return null;
}

/**
 * The one error handler. Logs what is not the client's fault with the request's id and route
 * template (never the raw path: it may carry a share key); counts storage failures in `metrics`.
 */
export function errorHandler(logger: Logger, metrics?: Pick<Metrics, 'observeError'> | null): ErrorRequestHandler {
  return async (error, req, res, _next) => {
    await discardUnclaimedUpload(req, res).catch(() => undefined);
    metrics?.observeError(error);
    const known = toAppError(error);
    const appError = known ?? new AppError('INTERNAL');
    // 501: a feature this server is not set up for (no mail, no single sign-on) is not a fault.
    if (!known || (appError.status >= 500 && appError.status !== 501)) {
      logger.error('request failed', {
        requestId: requestIdOf(res),
        method: req.method,
        path: routeTemplateOf(req),
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (appError.headers) res.set(appError.headers);
    res.status(appError.status).json({
      message: appError.message,
      code: appError.code,
      ...(appError.details ? { details: appError.details } : {}),
    });
  };
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(new AppError('NOT_FOUND', 'No such endpoint.'));
};
