import type { Socket } from 'node:net';
import type { Request, RequestHandler, Response } from 'express';

type Watched = { req: Request; res: Response; socket: Socket; bytes: number; since: number };

/**
 * Cuts a request whose body stops coming: no byte from the client for `stallMs` while the body is
 * still awaited. Such a request would hold its connection, its temp file and, for a resumable
 * upload, the upload's lease for as long as the client stays quiet. The connection is destroyed:
 * a multipart upload's temp file is removed (the upload engine removes what it wrote), a
 * resumable upload keeps what arrived and can be resumed from there.
 *
 * Watched through the socket's byte count, by one timer for every request with a body: a listener
 * on the body would start it flowing before its reader is there. A body that arrived but is not
 * read yet (the server is busy: its bytes wait in the request's buffer) is not a stall.
 */
export function cutStalledBodies(stallMs: number, onCut: (req: Request, res: Response) => void): RequestHandler {
  const watched = new Set<Watched>();
  let timer: NodeJS.Timeout | undefined;

  const tick = () => {
    const now = Date.now();
    for (const entry of watched) {
      const { req, socket } = entry;
      if (req.complete || socket.destroyed) {
        watched.delete(entry);
      } else if (socket.bytesRead !== entry.bytes || req.readableLength > 0) {
        entry.bytes = socket.bytesRead;
        entry.since = now;
      } else if (now - entry.since >= stallMs) {
        watched.delete(entry);
        onCut(req, entry.res);
        socket.destroy();
      }
    }
    if (watched.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  return (req, res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.complete) {
      watched.add({ req, res, socket: req.socket, bytes: req.socket.bytesRead, since: Date.now() });
      if (!timer) {
        timer = setInterval(tick, Math.min(1000, Math.max(50, Math.floor(stallMs / 4))));
        timer.unref();
      }
    }
    next();
  };
}
