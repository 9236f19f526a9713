import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type DestinationStream } from 'pino';

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, unknown>;
type Log = (message: string, fields?: LogFields) => void;

export type Logger = {
  error: Log;
  warn: Log;
  info: Log;
  debug: Log;
  /** A logger that adds `bindings` to every line it writes. */
  child(bindings: LogFields): Logger;
};

/**
 * Fields that every line logged in the current asynchronous context carries (the request id while
 * a request is being served). An AsyncLocalStorage rather than a logger handed down each call:
 * the services are made once per app with the app's logger, and their lines written while
 * serving a request (a failed audit write, a file that could not be deleted) carry the request's
 * id without a logger being threaded through every function.
 */
const context = new AsyncLocalStorage<LogFields>();

/** Runs `work` with `fields` added to every line logged from it, synchronously or later. */
export function withLogContext<T>(fields: LogFields, work: () => T): T {
  return context.run(fields, work);
}

/**
 * Never logged, whatever a caller passes by mistake: replaced by "[redacted]". The callers do not
 * pass them; this is the second line of defence.
 */
const SECRET_FIELDS = [
  'password',
  'password2',
  'token',
  'authorization',
  'shareKey',
  'otp',
  'totpSecret',
  'recoveryCodes',
];
const REDACT = [...SECRET_FIELDS, ...SECRET_FIELDS.map((field) => `*.${field}`)];

/**
 * One JSON line per event: `{"level":"info","time":"<ISO 8601>","pid":…,"hostname":…,
 * "requestId"?:…,"message":…,…fields}`. Errors (and fatal) go to stderr, everything else to
 * stdout, as before pino; `destination` (tests) takes every line instead. Never pass secrets in
 * `fields`. Written through process.stdout/stderr (synchronous for files and pipes on Linux), so
 * the last lines before an exit are not lost; pino-pretty is not needed to read them in production.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const stream =
    destination ??
    pino.multistream(
      [
        { level: 'debug', stream: process.stdout },
        { level: 'error', stream: process.stderr },
      ],
      { dedupe: true },
    );
  const root = pino(
    {
      level,
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => context.getStore() ?? {},
      redact: { paths: REDACT, censor: '[redacted]' },
    },
    stream,
  );
  return wrap(root);
}

function wrap(log: pino.Logger): Logger {
  const at =
    (name: 'error' | 'warn' | 'info' | 'debug'): Log =>
    (message, fields) => {
      if (fields) log[name](fields, message);
      else log[name](message);
    };
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    child: (bindings) => wrap(log.child(bindings)),
  };
}
