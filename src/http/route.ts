import type { Request, RequestHandler, Router } from 'express';
import type { z, ZodType } from 'zod';

import type { Actor } from '../shared/actor';
import { AppError, ERROR_TABLE, type ErrorCode } from '../shared/errors';
import { authenticate, type TokenAuthenticator } from './authenticate';
import { authorize, type Access } from './authorize';
import { bodyValueOf, jsonReply, sendReply, type Replier, type Replies, type Reply, type ReplyOf } from './reply';
import { clientAddress } from './request-context';
import { errorReply } from './response-schemas';
import { claimUpload, claimUploads } from './upload';
import { validate, type ParsedInput } from './validate';

export type { Replies, ReplySpec } from './reply';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

type Infer<S> = S extends ZodType ? z.output<S> : undefined;

/**
 * What a handler gets. It has no `res`: it returns its reply, which the compiler checks against
 * the route's `responses`: JSON made by `reply`, a 304 by `withEtag`, a page by `pageReply`, a
 * file it streams as a `StreamReply`.
 */
export type RouteContext<B, Q, P, R extends Replies = Replies> = {
  req: Request;
  /** The signed-in user; on `public` routes it is not set. */
  actor: Actor;
  /** The client's address (`clientAddress`), for the audit log and the throttles. */
  address: string | null;
  body: B;
  query: Q;
  params: P;
  /** Takes over the uploaded file (upload routes): from now on the handler must discard it. */
  claimUpload: () => ReturnType<typeof claimUpload>;
  /** Takes over the uploaded files of a route with `upload: 'many'`, in order (received or refused). */
  claimUploads: () => ReturnType<typeof claimUploads>;
  /** A JSON reply: `reply(201, body)`, with a status and a body that the route documents. */
  reply: Replier<R>;
};

type Awaitable<T> = T | Promise<T>;

/** What a route declares about itself, apart from its input schemas and handler. */
type RouteDeclaration<R extends Replies = Replies> = {
  method: Method;
  path: string;
  access: Access;
  summary: string;
  /** Replies by status; the error replies follow from access, inputs and uploads (`errorCodesOf`). */
  responses: R;
  /** Error codes this route gives beyond those that follow from its declaration. */
  errors?: ErrorCode[];
  /** Accepts multipart/form-data with one image file in the `image` field (`many`: several, each in an `image` field). */
  upload?: boolean | 'many';
  /** A write that a read-only token may still make (logging itself out). */
  readOnlyTokenMayCall?: boolean;
  /** Headers on every reply of the route, its refusals included (set before anything else runs). */
  replyHeaders?: Record<string, string>;
};

export type RouteSpec = RouteDeclaration & {
  body?: ZodType;
  query?: ZodType;
  params?: ZodType;
  /** Typed by `defineRoute` for the route's own inputs and replies; `never` here accepts every such handler. */
  handler: (ctx: never) => Awaitable<Reply>;
};

/**
 * Declares one route with its access rule and input schemas; the handler sees parsed, typed input,
 * and may only return a reply its `responses` document: `reply(201, body)` with a body of the 201
 * schema's type, a 304 where one is documented, a streamed file where `binary` is.
 */
export function defineRoute<
  const R extends Replies,
  B extends ZodType | undefined = undefined,
  Q extends ZodType | undefined = undefined,
  P extends ZodType | undefined = undefined,
>(
  spec: RouteDeclaration<R> & {
    body?: B;
    query?: Q;
    params?: P;
    handler: (ctx: RouteContext<Infer<B>, Infer<Q>, Infer<P>, R>) => Awaitable<NoInfer<ReplyOf<R>>>;
  },
): RouteSpec {
  return spec;
}

const BODY_TYPES = ['application/json', 'application/x-www-form-urlencoded'];
const UPLOAD_TYPES = [...BODY_TYPES, 'multipart/form-data'];

/** A body in a type the route does not read is refused, rather than silently ignored. */
function acceptBodies(upload: boolean): RequestHandler {
  const types = upload ? UPLOAD_TYPES : BODY_TYPES;
  return (req, _res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is(types)) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Send the body as ${types.join(' or ')}.`);
    }
    next();
  };
}

/** The error codes a route can answer with: from its access, inputs and uploads, plus its own. */
export function errorCodesOf(route: RouteSpec): ErrorCode[] {
  const codes: ErrorCode[] = [];
  if (route.body || route.query || route.upload) codes.push('VALIDATION_FAILED');
  if (route.body || route.upload) codes.push('INVALID_JSON', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE');
  if (route.upload) codes.push('INSUFFICIENT_STORAGE');
  // CSRF_REJECTED: a write signed in by the browser's session cookie without its CSRF header or from another origin.
  if (route.access !== 'public') codes.push('UNAUTHENTICATED', 'INVALID_TOKEN', 'FORBIDDEN', 'CSRF_REJECTED');
  // A path parameter that does not percent-decode (`%ZZ`) is 400; one that does not parse, 404.
  if (route.params) codes.push('NOT_FOUND', 'VALIDATION_FAILED');
  codes.push(...(route.errors ?? []), 'TOO_MANY_REQUESTS', 'INTERNAL', 'SERVICE_UNAVAILABLE');
  return [...new Set(codes)];
}

/**
 * Checks every JSON reply of a route against what is documented for it: the schema of its status,
 * or the error shape with a documented code. A reply that does not match becomes a 500; meant for
 * tests (VALIDATE_RESPONSES).
 */
function checkReplies(spec: RouteSpec): RequestHandler {
  const errorCodes = new Set<string>(errorCodesOf(spec));
  return (_req, res, next) => {
    const send = res.json.bind(res);
    res.json = (body: unknown) => {
      const own = spec.responses[res.statusCode as 200];
      const documented = own ?? (res.statusCode >= 400 ? errorReply : undefined);
      const where = `${spec.method.toUpperCase()} ${spec.path} ${res.statusCode}`;
      if (!documented || typeof documented === 'string') throw new Error(`${where}: status not documented`);
      const checked = documented.safeParse(bodyValueOf(body));
      if (!checked.success) throw new Error(`${where}: reply does not match its schema: ${checked.error.message}`);
      const code = own ? null : (checked.data as { code: ErrorCode }).code;
      if (code && (!errorCodes.has(code) || ERROR_TABLE[code].status !== res.statusCode)) {
        throw new Error(`${where}: error code ${code} not documented for this route`);
      }
      return send(body);
    };
    next();
  };
}

/** Calls the handler with the parsed input and sends the reply it returns. */
function run(spec: RouteSpec): RequestHandler {
  return async (req, res) => {
    const input = res.locals.input as ParsedInput;
    // The input was parsed by the route's own schemas: it is what the handler was typed for.
    const context: RouteContext<unknown, unknown, unknown> = {
      req,
      actor: res.locals.actor as Actor,
      address: clientAddress(req),
      ...input,
      claimUpload: () => claimUpload(req, res),
      claimUploads: () => claimUploads(req, res),
      reply: jsonReply,
    };
    await sendReply(res, await spec.handler(context as never));
  };
}

/** A `read` token may only read, whatever its user's role allows. */
const refuseReadOnlyTokens: RequestHandler = (_req, res, next) => {
  if ((res.locals.actor as Actor).scope === 'read') throw new AppError('FORBIDDEN', 'This token is read-only.');
  next();
};

export type MountDeps = {
  authenticator: TokenAuthenticator;
  upload: RequestHandler;
  /** The upload of routes with `upload: 'many'`. */
  uploadMany: RequestHandler;
  validateReplies: boolean;
  rateLimit: RequestHandler;
};

/**
 * Mounts every route with its chain: body type check → authenticate → authorize → upload → validate
 * → handler. A known path called with another method answers 405 with `Allow`.
 */
export function mountRoutes(router: Router, routes: RouteSpec[], deps: MountDeps): void {
  const requireToken = authenticate(deps.authenticator);
  for (const spec of routes) {
    const chain: RequestHandler[] = deps.validateReplies ? [checkReplies(spec)] : [];
    const { replyHeaders } = spec;
    if (replyHeaders) {
      chain.push((_req, res, next) => {
        res.set(replyHeaders);
        next();
      });
    }
    chain.push(acceptBodies(Boolean(spec.upload)));
    if (spec.access !== 'public') chain.push(requireToken);
    chain.push(deps.rateLimit);
    if (spec.access !== 'public' && spec.method !== 'get' && !spec.readOnlyTokenMayCall)
      chain.push(refuseReadOnlyTokens);
    if (spec.access !== 'public' && spec.access !== 'authenticated') chain.push(authorize(spec.access));
    if (spec.upload) chain.push(spec.upload === 'many' ? deps.uploadMany : deps.upload);
    chain.push(validate(spec), run(spec));
    router[spec.method](spec.path, ...chain);
  }
  const methodsByPath = new Map<string, Set<string>>();
  for (const spec of routes) {
    const methods = methodsByPath.get(spec.path) ?? new Set<string>();
    methods.add(spec.method.toUpperCase());
    if (spec.method === 'get') methods.add('HEAD');
    methodsByPath.set(spec.path, methods);
  }
  for (const [path, methods] of methodsByPath) {
    const allow = [...methods].join(', ');
    router.all(path, () => {
      throw new AppError('METHOD_NOT_ALLOWED', undefined, { headers: { Allow: allow } });
    });
  }
}
