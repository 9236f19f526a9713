import type { ErrorRequestHandler, RequestHandler } from 'express';
import { MulterError } from 'multer';
import { ZodError } from 'zod';
import { discardUnclaimedUpload } from './upload';
import type { Logger } from '../logger';
import { AppError, ERROR_TABLE, type ErrorDetail } from './errors';

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

type PrismaLikeError = { name?: string; code?: string; message?: string };

function fromPrisma(error: PrismaLikeError): AppError | null {
  if (error.name === 'PrismaClientKnownRequestError') {
    if (error.code === 'P2002') return new AppError('CONFLICT');
    if (error.code === 'P2025' || error.code === 'P2015') return new AppError('NOT_FOUND');
    if (error.code === 'P2003') return new AppError('CONFLICT', 'A related record does not exist or is still referenced.');
  }
  if (error.name === 'PrismaClientInitializationError') return new AppError('SERVICE_UNAVAILABLE');
  return null;
}

/** Retry-After on a 503: the database or the disk may be back shortly. */
const RETRY = { headers: { 'Retry-After': '5' } };

/** SQLite and PostgreSQL saying "not now": locked, busy, refusing connections, shutting down. */
const UNAVAILABLE_PATTERN =
  /SQLITE_BUSY|SQLITE_LOCKED|SQLITE_CANTOPEN|SQLITE_READONLY|SQLITE_IOERR|database is locked|SocketTimeout|DatabaseNotReachable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection terminated|too many clients|the database system is (starting up|shutting down)|lock timeout|canceling statement due to (lock|statement) timeout|terminating connection/i;
/** PostgreSQL SQLSTATE classes for the same: 08 connection, 53 resources, 57 operator intervention, 55P03 lock not available. */
const UNAVAILABLE_SQLSTATE = /^(08|53|57)|^55P03$/;

/**
 * Failures of what the server stands on rather than of the request: a full disk is 507, a
 * database that cannot be reached or written to right now is 503. Neither is the client's fault,
 * and neither is a bug.
 */
function fromInfrastructure(error: { code?: unknown; message?: unknown; meta?: unknown }): AppError | null {
  if (error.code === 'ENOSPC' || error.code === 'EDQUOT') return new AppError('INSUFFICIENT_STORAGE');
  // Prisma: P1001 cannot reach, P1002 timed out reaching, P1008 operation timed out (a lock held
  // elsewhere), P1017 connection closed; the driver's own code sits in meta.driverAdapterError.
  if (typeof error.code === 'string' && /^P10(01|02|08|17)$/.test(error.code)) return new AppError('SERVICE_UNAVAILABLE', undefined, RETRY);
  const driver = (error.meta as { driverAdapterError?: { cause?: { originalCode?: unknown; originalMessage?: unknown; kind?: unknown } } } | undefined)
    ?.driverAdapterError?.cause;
  const sqlState = driver?.originalCode;
  if (typeof sqlState === 'string' && UNAVAILABLE_SQLSTATE.test(sqlState)) return new AppError('SERVICE_UNAVAILABLE', undefined, RETRY);
  const texts = [error.message, sqlState, driver?.originalMessage, driver?.kind];
  if (texts.some((text) => typeof text === 'string' && UNAVAILABLE_PATTERN.test(text))) {
    return new AppError('SERVICE_UNAVAILABLE', undefined, RETRY);
  }
  return null;
}

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
    return fromInfrastructure(error as { code?: unknown; message?: unknown }) ?? fromPrisma(error as PrismaLikeError);
  }
  return null;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return async (error, req, res, _next) => {
    await discardUnclaimedUpload(req, res).catch(() => undefined);
    const known = toAppError(error);
    const appError = known ?? new AppError('INTERNAL');
    if (!known || appError.status >= 500) {
      logger.error('request failed', {
        method: req.method,
        path: req.path,
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
