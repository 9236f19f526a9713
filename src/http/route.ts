import type { Request, RequestHandler, Response, Router } from 'express';
import type { z, ZodType } from 'zod';
import type { Actor } from '../auth/actor';
import { authenticate } from './authenticate';
import { authorize, type Access } from './authorize';
import { AppError } from './errors';
import { validate, type ParsedInput } from './validate';
import type { Authenticator } from '../auth/passport';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

type Infer<S> = S extends ZodType ? z.output<S> : undefined;

export type RouteContext<B, Q, P> = {
  req: Request;
  res: Response;
  /** The signed-in user; on `public` routes it is not set. */
  actor: Actor;
  body: B;
  query: Q;
  params: P;
};

export type RouteSpec = {
  method: Method;
  path: string;
  access: Access;
  summary: string;
  /** Accepts multipart/form-data with one image file in the `image` field. */
  upload?: boolean;
  body?: ZodType;
  query?: ZodType;
  params?: ZodType;
  handler: (ctx: RouteContext<any, any, any>) => unknown;
};

/** Declares one route with its access rule and input schemas; the handler sees parsed, typed input. */
export function defineRoute<
  B extends ZodType | undefined = undefined,
  Q extends ZodType | undefined = undefined,
  P extends ZodType | undefined = undefined,
>(spec: {
  method: Method;
  path: string;
  access: Access;
  summary: string;
  upload?: boolean;
  body?: B;
  query?: Q;
  params?: P;
  handler: (ctx: RouteContext<Infer<B>, Infer<Q>, Infer<P>>) => unknown;
}): RouteSpec {
  return spec as RouteSpec;
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

function run(spec: RouteSpec): RequestHandler {
  return async (req, res) => {
    const input = res.locals.input as ParsedInput;
    await spec.handler({ req, res, actor: res.locals.actor as Actor, ...input });
  };
}

export type MountDeps = { authenticator: Authenticator; upload: RequestHandler };

/**
 * Mounts every route with its chain: body type check → authenticate → authorize → upload → validate
 * → handler. A known path called with another method answers 405 with `Allow`.
 */
export function mountRoutes(router: Router, routes: RouteSpec[], deps: MountDeps): void {
  const requireToken = authenticate(deps.authenticator);
  for (const spec of routes) {
    const chain: RequestHandler[] = [acceptBodies(Boolean(spec.upload))];
    if (spec.access !== 'public') chain.push(requireToken);
    if (spec.access !== 'public' && spec.access !== 'authenticated') chain.push(authorize(spec.access));
    if (spec.upload) chain.push(deps.upload);
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
