/** Every error the API can answer with: one stable code, one status, one default sentence. */
export const ERROR_TABLE = {
  VALIDATION_FAILED: { status: 400, message: 'The request is not valid.' },
  INVALID_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  UNAUTHENTICATED: { status: 401, message: 'Authentication credentials were not provided.' },
  INVALID_CREDENTIALS: { status: 401, message: 'Invalid credentials' },
  INVALID_TOKEN: { status: 401, message: 'Invalid token' },
  OTP_REQUIRED: {
    status: 401,
    message:
      'This account signs in with a second factor: send the code of its authenticator app (or a recovery code) as "otp".',
  },
  OTP_INVALID: { status: 401, message: 'The one-time code is not valid (wrong, expired or already used).' },
  PASSKEY_INVALID: {
    status: 401,
    message: 'The passkey was not accepted (unknown, refused, or its challenge used or expired): try again.',
  },
  SHARE_PASSWORD_REQUIRED: { status: 401, message: 'This link needs its password, in the X-Share-Password header.' },
  FORBIDDEN: { status: 403, message: 'You do not have permission to perform this action.' },
  CSRF_REJECTED: { status: 403, message: 'Cross-site request refused.' },
  PASSWORD_SIGN_IN_OFF: {
    status: 403,
    message: 'This account signs in only through single sign-on: use "Sign in with" on the sign-in screen.',
  },
  NOT_FOUND: { status: 404, message: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed' },
  CONFLICT: { status: 409, message: 'A record with that value already exists.' },
  LOCKED: { status: 423, message: 'Another request is writing this upload now; try again shortly.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported media type.' },
  LINK_INVALID: { status: 410, message: 'This link is unknown, already used or expired.' },
  RANGE_NOT_SATISFIABLE: { status: 416, message: 'The requested range is outside the file.' },
  TOO_MANY_REQUESTS: { status: 429, message: 'Too many requests. Try again later.' },
  INTERNAL: { status: 500, message: 'Something went wrong on our side.' },
  NOT_CONFIGURED: { status: 501, message: 'This is not set up on this server.' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'The service is temporarily unavailable. Try again later.' },
  INSUFFICIENT_STORAGE: { status: 507, message: 'The server has no room left to store this file.' },
} as const;

export type ErrorCode = keyof typeof ERROR_TABLE;

export type ErrorDetail = { path: string; message: string };

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: ErrorDetail[];
  readonly headers?: Record<string, string>;

  constructor(
    code: ErrorCode,
    message?: string,
    options: { details?: ErrorDetail[]; headers?: Record<string, string> } = {},
  ) {
    super(message ?? ERROR_TABLE[code].message);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_TABLE[code].status;
    this.details = options.details;
    this.headers = options.headers;
  }
}

export const notFound = (message?: string) => new AppError('NOT_FOUND', message);
export const forbidden = (message?: string) => new AppError('FORBIDDEN', message);
export const conflict = (message?: string) => new AppError('CONFLICT', message);
export const badRequest = (message: string, details?: ErrorDetail[]) =>
  new AppError('VALIDATION_FAILED', message, { details });
