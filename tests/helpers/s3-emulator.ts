import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

import { addMultipartCalls } from './s3-multipart';

/**
 * A local S3-compatible endpoint for tests: s3rver, an emulator of the S3 API that keeps objects
 * in a temp folder. The storage driver talks to it through the public S3 API only, as to any S3.
 */
export async function startS3Emulator(bucket = 'gallery-test') {
  const directory = mkdtempSync(join(tmpdir(), 'gallery-s3-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  addMultipartCalls(server, directory);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  let stopped = false;
  return {
    endpoint,
    bucket,
    /** The settings a server needs to use it (STORAGE=s3). */
    env: {
      STORAGE: 's3',
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_REGION: 'us-east-1',
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
    },
    /** Stops it (again: nothing more) and removes its objects. */
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
