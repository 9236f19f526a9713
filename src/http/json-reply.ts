import type { Express, Response } from 'express';

import { JsonText } from './reply';

/**
 * `res.json` for every response of the app: the same reply as Express's, without its copy of the
 * whole body into a Buffer before writing it (a page of 50 images is 40 KB), and a body already
 * written as JSON (`JsonText`) sent as it is. The status decides what is sent: no body for 204, 304
 * and HEAD, as Express does.
 */
export function installJsonReplies(app: Express): void {
  app.response.json = function json(this: Response, body: unknown) {
    const text = body instanceof JsonText ? body.text : (JSON.stringify(body) ?? '');
    if (this.statusCode === 204 || this.statusCode === 304) {
      this.removeHeader('Content-Type');
      this.end();
      return this;
    }
    if (!this.get('Content-Type')) this.setHeader('Content-Type', 'application/json; charset=utf-8');
    this.setHeader('Content-Length', Buffer.byteLength(text));
    if (this.req.method === 'HEAD') this.end();
    else this.end(text, 'utf8');
    return this;
  };
}
