import { z, type ZodType } from 'zod';

import { ERROR_TABLE } from '../shared/errors';
import { errorReply } from './response-schemas';
import { errorCodesOf, type ReplySpec, type RouteSpec } from './route';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** Express's `/a/:id/b` as OpenAPI's `/a/{id}/b`. */
export function openApiPath(path: string): string {
  return path.replace(/:(\w+)/g, '{$1}');
}

function tagOf(path: string): string {
  const parts = path.split('/').filter(Boolean);
  if (parts[0] !== 'api') return parts[0];
  return parts[1] === 'gallery' ? parts[2] : parts[1];
}

function parameters(schema: ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (object.required ?? []).includes(name),
    schema: property,
  }));
}

/** Several files, each in an `image` part; a field `title[n]`/`description[n]` goes with the n-th file (from 0). */
const MANY_FILES: JsonSchema = {
  type: 'object',
  properties: {
    image: { type: 'array', items: { type: 'string', format: 'binary' }, description: 'The files, in order' },
  },
  patternProperties: { '^(title|description)\\[\\d+\\]$': { type: 'string' } },
  required: ['image'],
};

function requestBody(route: RouteSpec) {
  if (route.upload === 'many') return { required: true, content: { 'multipart/form-data': { schema: MANY_FILES } } };
  if (!route.body && !route.upload) return undefined;
  const body = route.body ? jsonSchema(route.body, 'input') : { type: 'object', properties: {} };
  const content: Record<string, { schema: JsonSchema }> = {
    'application/json': { schema: body },
    'application/x-www-form-urlencoded': { schema: body },
  };
  if (route.upload) {
    const properties = { ...(body.properties as JsonSchema), image: { type: 'string', format: 'binary' } };
    const required = route.method === 'post' ? [...((body.required as string[]) ?? []), 'image'] : body.required;
    content['multipart/form-data'] = { schema: { ...body, properties, ...(required ? { required } : {}) } };
  }
  return { required: Boolean(route.body && route.method === 'post'), content };
}

function successReply(status: number, reply: ReplySpec): [string, JsonSchema] {
  if (reply === 'empty') return [String(status), { description: 'Not modified' }];
  if (reply === 'redirect')
    return [
      String(status),
      { description: 'Redirect', headers: { Location: { description: 'Where to go', schema: { type: 'string' } } } },
    ];
  if (reply === 'html')
    return [String(status), { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } }];
  if (reply === 'text')
    return [String(status), { description: 'Plain text', content: { 'text/plain': { schema: { type: 'string' } } } }];
  if (reply === 'binary') {
    return [
      String(status),
      { description: 'The file', content: { 'image/*': { schema: { type: 'string', format: 'binary' } } } },
    ];
  }
  return [
    String(status),
    { description: 'OK', content: { 'application/json': { schema: jsonSchema(reply, 'output') } } },
  ];
}

/** The OpenAPI 3.1 document of the API, built from the same route table that mounts it. */
export function buildOpenApiDocument(routes: RouteSpec[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const errors = Object.fromEntries(
      [...new Set(errorCodesOf(route).map((code) => ERROR_TABLE[code].status))].map((status) => [
        String(status),
        { $ref: `#/components/responses/Error${status}` },
      ]),
    );
    const path = openApiPath(route.path);
    paths[path] ??= {};
    paths[path][route.method] = {
      operationId: `${route.method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: route.summary,
      tags: [tagOf(route.path)],
      'x-permission': route.access,
      security: route.access === 'public' ? [] : [{ token: [] }],
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      ...(requestBody(route) ? { requestBody: requestBody(route) } : {}),
      responses: {
        ...Object.fromEntries(
          Object.entries(route.responses).map(([status, reply]) => successReply(Number(status), reply)),
        ),
        ...errors,
      },
    };
  }
  const statuses = [...new Set(Object.values(ERROR_TABLE).map((entry) => entry.status))];
  return {
    openapi: '3.1.0',
    info: {
      ...info,
      description:
        'REST API for multi-user image galleries with role-based access. Authenticate with `Authorization: Token <token>` ' +
        '(from POST /api/auth/login). Each operation names the permission it needs in `x-permission`. ' +
        'Paths also answer with a trailing slash.',
    },
    paths,
    components: {
      securitySchemes: {
        token: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: 'The word Token, a space, then the token',
        },
      },
      schemas: { Error: jsonSchema(errorReply, 'output') },
      responses: Object.fromEntries(
        statuses.map((status) => [
          `Error${status}`,
          {
            description: Object.entries(ERROR_TABLE)
              .filter(([, entry]) => entry.status === status)
              .map(([code, entry]) => `${code}: ${entry.message}`)
              .join(' | '),
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        ]),
      ),
    },
  };
}
