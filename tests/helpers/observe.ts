import { once } from 'node:events';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { TestApp } from './test-app';

/** One request to the app listening on a real port, its body written in `chunks` 50 ms apart. */
export async function sendSlowly(
  t: TestApp,
  options: { method: string; path: string; headers: Record<string, string>; chunks: Buffer[] },
) {
  const server = t.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const length = options.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const headers = { ...options.headers, 'Content-Length': String(length) };
  try {
    return await new Promise<{ status: number; requestId: unknown }>((done, fail) => {
      const req = request({ host: '127.0.0.1', port, method: options.method, path: options.path, headers }, (res) => {
        res.resume();
        res.on('end', () => done({ status: res.statusCode ?? 0, requestId: res.headers['x-request-id'] }));
      });
      req.on('error', fail);
      void (async () => {
        for (const chunk of options.chunks) {
          req.write(chunk);
          await new Promise((wait) => setTimeout(wait, 50));
        }
        req.end();
      })();
    });
  } finally {
    server.close();
  }
}

/** The sample lines of one metric family in a Prometheus text exposition, as `name{labels} value`. */
export function samples(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

/** The value of one sample (`name{labels}`), 0 when it is not there yet. */
export function valueOf(text: string, sample: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}
