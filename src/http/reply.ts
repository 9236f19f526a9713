import type { Response } from 'express';
import type { z, ZodType } from 'zod';

/** A documented reply: a JSON schema, raw bytes (the image file), an HTML page, plain text, no body, or a redirect (`Location`). */
export type ReplySpec = ZodType | 'binary' | 'html' | 'text' | 'empty' | 'redirect';
export type Status = 200 | 201 | 206 | 207 | 302 | 304 | 503;
export type Replies = Partial<Record<Status, ReplySpec>>;

export type ReplyHeaders = Record<string, string>;

/** Only `jsonReply` makes a JSON reply: an object literal of that shape is not one. */
declare const made: unique symbol;

/**
 * A JSON reply. It is sent with `res.json`, so that the reply check of the tests
 * (VALIDATE_RESPONSES) sees every JSON body a route sends.
 */
export type JsonReply<S extends number, B> = { status: S; body: B; headers?: ReplyHeaders; readonly [made]: true };
/** A reply without a body (304 Not Modified). */
export type EmptyReply<S extends number> = { status: S; headers?: ReplyHeaders; body?: never };
export type HtmlReply<S extends number> = { status: S; html: string; headers?: ReplyHeaders };
/** A text reply in its own media type (`text/plain; version=0.0.4` for Prometheus). */
export type TextReply<S extends number> = { status: S; text: string; contentType: string; headers?: ReplyHeaders };
/**
 * A file the route streams itself: whether it is 200, 206 (a byte range) or 304 is only known
 * while it is sent, and its headers come from the file.
 */
export type StreamReply = { stream: (res: Response) => Promise<void> };

export type Reply =
  JsonReply<number, unknown> | EmptyReply<number> | HtmlReply<number> | TextReply<number> | StreamReply;

/** The reply that a documented status allows: the JSON body is its schema's output type. */
type ReplyFor<S extends number, R> = R extends ZodType
  ? JsonReply<S, z.output<R>>
  : R extends 'empty' | 'redirect'
    ? EmptyReply<S>
    : R extends 'html'
      ? HtmlReply<S>
      : R extends 'text'
        ? TextReply<S>
        : R extends 'binary'
          ? StreamReply
          : never;

/** Every reply a route with these documented `responses` may give (the compiler holds handlers to it). */
export type ReplyOf<R extends Replies> = { [S in keyof R & Status]-?: ReplyFor<S, NonNullable<R[S]>> }[keyof R &
  Status];

/** The statuses documented with a JSON schema, and the body each one's schema describes. */
type JsonStatus<R extends Replies> = { [S in keyof R & Status]-?: R[S] extends ZodType ? S : never }[keyof R & Status];
type BodyOf<R extends Replies, S> = S extends keyof R ? (R[S] extends ZodType ? z.output<R[S]> : never) : never;

/**
 * A route's `reply(status, body, headers?)`: the status must be one documented with a schema,
 * and the body must be of that schema's type. The body is an argument, not a property of a
 * returned object, so that the compiler also refuses a property the schema does not have.
 */
export type Replier<R extends Replies> = <S extends JsonStatus<R>>(
  status: S,
  body: BodyOf<R, S>,
  headers?: ReplyHeaders,
) => JsonReply<S, BodyOf<R, S>>;

/**
 * A body already written as JSON text (by the database): `res.json` sends it as it is, and the
 * reply check of the tests reads it back to check it against the route's schema.
 */
export class JsonText {
  constructor(readonly text: string) {}
}

/** What `res.json` was given, as the value it stands for (JSON text read back). */
export const bodyValueOf = (body: unknown): unknown =>
  body instanceof JsonText ? (JSON.parse(body.text) as unknown) : body;

/** A JSON reply; routes make theirs with their `reply`, typed for their `responses`. */
export function jsonReply<S extends number, B>(status: S, body: B, headers?: ReplyHeaders): JsonReply<S, B> {
  return (headers ? { status, body, headers } : { status, body }) as JsonReply<S, B>;
}

/** Sends what a handler returned; its headers go first, as a handler that set them itself did. */
export async function sendReply(res: Response, reply: Reply): Promise<void> {
  if ('stream' in reply) {
    await reply.stream(res);
    return;
  }
  if (reply.headers) res.set(reply.headers);
  res.status(reply.status);
  if ('html' in reply) res.type('html').send(reply.html);
  else if ('text' in reply) res.type(reply.contentType).send(reply.text);
  else if ('body' in reply) res.json(reply.body);
  else res.end();
}
