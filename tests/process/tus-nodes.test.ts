import { createHash, randomBytes } from 'node:crypto';
import sharp from 'sharp';

import { login, prepareWorld, send, startServer, stopAllServers, type ServerProcess } from '../helpers/server-process';
import { createUpload, offsetOf, openPatch, patchUpload } from '../helpers/tus-client';

/**
 * Resumable uploads with two server processes on one database and one UPLOAD_DIR (the disk store
 * shared, as on a cluster): the upload's lease in the database keeps the second process from
 * writing an upload the first one writes (423, its bytes not written), a hundred and more parallel
 * PATCHes spread over both leave exactly one writer and the exact bytes, and a process killed in the
 * middle of a PATCH leaves an upload that the next request — on a new process or the other one —
 * takes over at once, from the offset HEAD reports.
 */
jest.setTimeout(120_000);

/** A busy machine may take long to start a server (two at once, beside other tests). */
const SLOW_START = { timeoutMs: 60_000 };

let world: Awaited<ReturnType<typeof prepareWorld>>;
let nodes: ServerProcess[];
let auth: Record<string, string>;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** A PNG of random pixels: it does not compress, so it is about side² × 3 bytes. */
const noisePng = (side: number) =>
  sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();

beforeAll(async () => {
  world = await prepareWorld();
  nodes = await Promise.all([startServer(world.env, SLOW_START), startServer(world.env, SLOW_START)]);
  auth = await login(nodes[0].url, world.credentials);
});
afterAll(async () => {
  await stopAllServers();
  await world?.close();
});

async function storedFile(imageId: number) {
  const reply = await send(nodes[1].url, { path: `/api/gallery/images/${imageId}/file?size=original`, headers: auth });
  return sha256(reply.body);
}

const leaseOf = async (path: string) =>
  (await world.db.resumableUpload.findUniqueOrThrow({ where: { id: path.slice(-32) } })).lockHolder;

async function until(condition: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((done) => setTimeout(done, 20));
  }
}

describe('resumable uploads on two server processes', () => {
  it('refuses a second writer on the other process with 423 while the first writes; the first finishes', async () => {
    const bytes = await noisePng(300);
    const path = await createUpload(nodes[0].url, auth, bytes.length, { gallery: world.galleryId, title: 'One' });
    const first = openPatch(nodes[0].url, auth, path, 0, bytes.length);
    await first.write(bytes.subarray(0, 64 * 1024));
    await until(async () => (await leaseOf(path)) !== null);

    const second = await patchUpload(nodes[1].url, auth, path, 0, bytes);
    expect(second.status).toBe(423);
    expect(second.json()).toMatchObject({ code: 'LOCKED' });
    const seen = await offsetOf(nodes[1].url, auth, path);
    expect(seen).toBeLessThanOrEqual(64 * 1024);

    const done = await first.end(bytes.subarray(64 * 1024));
    expect(done.status).toBe(201);
    expect(done.json().sha256).toBe(sha256(bytes));
    expect(await storedFile(done.json().id as number)).toBe(sha256(bytes));
  });

  it('lets exactly one of 120 parallel PATCHes over both processes write; the rest get 423 or 409', async () => {
    const bytes = await noisePng(200);
    const path = await createUpload(nodes[1].url, auth, bytes.length, { gallery: world.galleryId, title: 'Many' });
    const replies = await Promise.all(
      Array.from({ length: 120 }, (_, n) => patchUpload(nodes[n % 2].url, auth, path, 0, bytes)),
    );
    const statuses = replies.map((reply) => reply.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => ![201, 409, 423].includes(status))).toEqual([]);
    const image = replies.find((reply) => reply.status === 201)!.json();
    expect(image.sha256).toBe(sha256(bytes));
    expect(await storedFile(image.id as number)).toBe(sha256(bytes));
    expect(await world.db.image.count({ where: { sha256: sha256(bytes) } })).toBe(1);
  });

  it('finishes an upload whose process died after its last byte, before noting it: a PATCH at the end', async () => {
    const faulty = await startServer({ ...world.env, FAULT_POINT: 'resumable-written' }, SLOW_START);
    const bytes = await noisePng(150);
    const path = await createUpload(faulty.url, auth, bytes.length, { gallery: world.galleryId, title: 'Late' });
    await expect(patchUpload(faulty.url, auth, path, 0, bytes)).rejects.toThrow();
    expect(await faulty.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(await offsetOf(nodes[1].url, auth, path)).toBe(bytes.length);
    const end = await patchUpload(nodes[1].url, auth, path, bytes.length, Buffer.alloc(0));
    expect(end.status).toBe(201);
    expect(end.json().sha256).toBe(sha256(bytes));
    expect(await storedFile(end.json().id as number)).toBe(sha256(bytes));
  });

  it('resumes after its process is killed mid-PATCH: on a new process, at the offset HEAD reports', async () => {
    const bytes = await noisePng(400);
    const path = await createUpload(nodes[0].url, auth, bytes.length, { gallery: world.galleryId, title: 'Killed' });
    const cut = openPatch(nodes[0].url, auth, path, 0, bytes.length);
    cut.replied.catch(() => undefined);
    await cut.write(bytes.subarray(0, 200_000));
    await until(async () => (await offsetOf(nodes[1].url, auth, path)) === 200_000);
    nodes[0].kill('SIGKILL');
    await nodes[0].exited;
    expect(await leaseOf(path)).not.toBeNull(); // held by a process that is gone

    // The other process takes the upload over at once: the holder died on this host.
    const offset = (await offsetOf(nodes[1].url, auth, path)) as number;
    expect(offset).toBe(200_000);
    nodes[0] = await startServer(world.env, SLOW_START);
    expect(await offsetOf(nodes[0].url, auth, path)).toBe(offset);
    const rest = await patchUpload(nodes[0].url, auth, path, offset, bytes.subarray(offset));
    expect(rest.status).toBe(201);
    expect(rest.json().sha256).toBe(sha256(bytes));
    expect(await storedFile(rest.json().id as number)).toBe(sha256(bytes));
  });
});
