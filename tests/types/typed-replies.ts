// Type-level test of typed replies, checked by the compiler (`npm run typecheck`, `npm run lint`),
// never run. Each `@ts-expect-error` marks a reply that does not match the route's `responses`:
// should the compiler ever accept one, the directive itself becomes the error.
import type { Response } from 'express';
import { z } from 'zod';

import { withEtag } from '../../src/http/conditional';
import { pageReply } from '../../src/http/pagination';
import { defineRoute } from '../../src/http/route';

const item = z.strictObject({ id: z.number(), state: z.enum(['active', 'revoked']) });
const declaration = { method: 'get', path: '/typed', access: 'public', summary: 'A typed reply' } as const;

export const matching = [
  defineRoute({
    ...declaration,
    responses: { 201: item },
    handler: ({ reply }) => reply(201, { id: 1, state: 'active' }),
  }),
  defineRoute({
    ...declaration,
    responses: { 200: item, 503: item },
    handler: ({ reply }) => reply(Date.now() > 0 ? 200 : 503, { id: 1, state: 'revoked' }),
  }),
  defineRoute({
    ...declaration,
    responses: { 200: item, 304: 'empty' },
    handler: ({ req }) => withEtag(req, { id: 1, state: 'active' as const }),
  }),
  defineRoute({
    ...declaration,
    responses: { 200: z.array(item) },
    handler: ({ req }) => pageReply(req, { items: [1] }, (id) => ({ id, state: 'active' as const })),
  }),
  defineRoute({
    ...declaration,
    responses: { 200: 'binary', 206: 'binary', 304: 'empty' },
    handler: () => ({ stream: (res) => new Promise<void>((done) => res.end(done)) }),
  }),
  defineRoute({ ...declaration, responses: { 200: 'html' }, handler: () => ({ status: 200, html: '<p></p>' }) }),
];

export const mismatched = [
  defineRoute({
    ...declaration,
    responses: { 201: item },
    // @ts-expect-error -- a property of the wrong type: `state` is 'active' or 'revoked'
    handler: ({ reply }) => reply(201, { id: 1, state: 'gone' }),
  }),
  defineRoute({
    ...declaration,
    responses: { 201: item },
    // @ts-expect-error -- a property the schema does not have
    handler: ({ reply }) => reply(201, { id: 1, state: 'active', extra: true }),
  }),
  defineRoute({
    ...declaration,
    responses: { 201: item },
    // @ts-expect-error -- a property missing
    handler: ({ reply }) => reply(201, { id: 1 }),
  }),
  defineRoute({
    ...declaration,
    responses: { 201: item },
    // @ts-expect-error -- a status the route does not document
    handler: ({ reply }) => reply(200, { id: 1, state: 'active' }),
  }),
  defineRoute({
    ...declaration,
    responses: { 200: z.strictObject({ id: z.number() }) },
    // @ts-expect-error -- JSON is made by `reply`, not written as an object (whose extra properties would pass)
    handler: () => ({ status: 200, body: { id: 1 } }),
  }),
  defineRoute({
    ...declaration,
    responses: { 200: item },
    // @ts-expect-error -- a 304 where none is documented
    handler: ({ req }) => withEtag(req, { id: 1, state: 'active' as const }),
  }),
  defineRoute({
    ...declaration,
    responses: { 200: z.array(item) },
    // @ts-expect-error -- a page of items that are not the schema's
    handler: ({ req }) => pageReply(req, { items: [1] }, (id) => ({ id: String(id), state: 'active' as const })),
  }),
  defineRoute({
    ...declaration,
    responses: { 200: item },
    // @ts-expect-error -- a streamed file on a route that documents JSON
    handler: () => ({ stream: (res: Response) => new Promise<void>((done) => res.end(done)) }),
  }),
  defineRoute({
    ...declaration,
    responses: { 200: 'binary' },
    // @ts-expect-error -- JSON on a route that documents a file
    handler: ({ reply }) => reply(200, { id: 1, state: 'active' }),
  }),
];
