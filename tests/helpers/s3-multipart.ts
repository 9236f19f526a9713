import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** What of Koa's context the calls below use. */
type Context = {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  status: number;
  body: unknown;
  type: string;
};
type Middleware = (ctx: Context, next: () => Promise<void>) => Promise<void>;

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function noSuchUpload(ctx: Context, uploadId: string) {
  ctx.status = 404;
  ctx.type = 'application/xml';
  ctx.body = xml(
    `<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message><UploadId>${escape(uploadId)}</UploadId></Error>`,
  );
}

async function exists(path: string) {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The parts of one multipart upload as s3rver keeps them: `<n>` and `<n>.md5`. */
async function listParts(folder: string) {
  const names = (await readdir(folder)).filter((name) => /^\d+$/.test(name));
  const parts = await Promise.all(
    names.map(async (name) => {
      const info = await stat(join(folder, name));
      const md5 = (await readFile(join(folder, `${name}.md5`), 'utf8')).trim();
      return { number: Number(name), size: info.size, md5, modified: info.mtime.toISOString() };
    }),
  );
  return parts.sort((a, b) => a.number - b.number);
}

/**
 * Three calls of the S3 API that s3rver 3 does not have and the tus project's S3 store makes:
 * ListParts (GET `?uploadId`), AbortMultipartUpload (DELETE `?uploadId`) and ListMultipartUploads
 * (GET `<bucket>?uploads`), answered from s3rver's own folder of multipart uploads in progress
 * (`<bucket>/._S3rver_uploads/<uploadId>/`: `key`, `metadata`, and a file per part). Added in
 * front of s3rver's own routes, before it starts.
 */
export function addMultipartCalls(server: unknown, directory: string): void {
  const uploadsOf = (bucket: string) => join(directory, bucket, '._S3rver_uploads');
  const handle: Middleware = async (ctx, next) => {
    const [, bucket, ...rest] = ctx.path.split('/');
    const key = rest.filter((part, index) => part !== '' || index < rest.length - 1);
    const uploadId = typeof ctx.query.uploadId === 'string' ? ctx.query.uploadId : undefined;
    if (uploadId && key.length > 0 && (ctx.method === 'GET' || ctx.method === 'DELETE')) {
      const folder = join(uploadsOf(bucket), uploadId);
      if (!/^[a-f0-9]+$/.test(uploadId) || !(await exists(folder))) return noSuchUpload(ctx, uploadId);
      if (ctx.method === 'DELETE') {
        await rm(folder, { recursive: true, force: true });
        ctx.status = 204;
        return;
      }
      const parts = (await listParts(folder)).map(
        (part) =>
          `<Part><PartNumber>${part.number}</PartNumber><LastModified>${part.modified}</LastModified><ETag>"${part.md5}"</ETag><Size>${part.size}</Size></Part>`,
      );
      ctx.type = 'application/xml';
      ctx.body = xml(
        `<ListPartsResult><Bucket>${escape(bucket)}</Bucket><Key>${escape(key.join('/'))}</Key><UploadId>${uploadId}</UploadId><IsTruncated>false</IsTruncated>${parts.join('')}</ListPartsResult>`,
      );
      return;
    }
    if (ctx.method === 'GET' && key.length === 0 && 'uploads' in ctx.query) {
      const ids = (await exists(uploadsOf(bucket))) ? await readdir(uploadsOf(bucket)) : [];
      const uploads = await Promise.all(
        ids.map(async (id) => {
          const folder = join(uploadsOf(bucket), id);
          const [name, info] = await Promise.all([readFile(join(folder, 'key'), 'utf8'), stat(folder)]);
          return `<Upload><Key>${escape(name)}</Key><UploadId>${id}</UploadId><Initiated>${info.birthtime.toISOString()}</Initiated></Upload>`;
        }),
      );
      ctx.type = 'application/xml';
      ctx.body = xml(
        `<ListMultipartUploadsResult><Bucket>${escape(bucket)}</Bucket><IsTruncated>false</IsTruncated>${uploads.join('')}</ListMultipartUploadsResult>`,
      );
      return;
    }
    await next();
  };
  (server as { middleware: Middleware[] }).middleware.unshift(handle);
}
