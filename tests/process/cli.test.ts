import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';

import { login, prepareWorld, startServer, stopAllServers, type ServerProcess } from '../helpers/server-process';
import { awayFromStepEdge, codeAt } from '../helpers/two-factor';

/*
 * The `gallery` command-line client as a child process against the real server (also a child
 * process): import twice, after kill -9 of the client and of the server, export and import again.
 */
jest.setTimeout(120_000);

const ROOT = resolve(__dirname, '../..');
const CLI =
  process.env.TEST_FAST === '1'
    ? [process.execPath, '--import', 'tsx', 'src/cli/gallery/main.ts']
    : [process.execPath, 'dist/cli/gallery/main.js'];

type World = Awaited<ReturnType<typeof prepareWorld>>;
type Run = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

let world: World;
let server: ServerProcess;
let home: string;
let auth: Record<string, string>;

function spawnCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(CLI[0], [...CLI.slice(1), ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      XDG_CONFIG_HOME: join(home, 'config'),
      GALLERY_SERVER: server.url,
      GALLERY_TOKEN: auth.Authorization.slice('Token '.length),
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs the CLI to its end; `input` is written to its standard input. */
function gallery(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<Run> {
  const child = spawnCli(args, options.env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin!.end(options.input ?? '');
  return new Promise((done) => child.once('close', (code, signal) => done({ code, signal, stdout, stderr })));
}

/** The CLI's --json output, which must parse. */
function json(run: Run) {
  try {
    return JSON.parse(run.stdout) as Record<string, unknown> & {
      uploaded: unknown[];
      skipped: unknown[];
      failed: { path: string; status: number; message: string }[];
    };
  } catch {
    throw new Error(`not JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

let colour = 0;
/** A small JPEG of its own colour, or of noise (larger, slower to take in). */
function jpeg(noise = false): Promise<Buffer> {
  colour += 1;
  const background = { r: (colour * 37) % 256, g: (colour * 91) % 256, b: (colour * 53) % 256 };
  return sharp({
    create: {
      width: noise ? 400 : 48,
      height: noise ? 300 : 32,
      channels: 3,
      background,
      ...(noise ? { noise: { type: 'gaussian' as const, mean: 128, sigma: 40 } } : {}),
    },
  })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** A folder of photos: `count` JPEGs spread over nested folders, plus files that are not images. */
async function library(count: number, noise = false): Promise<{ dir: string; hashes: Set<string> }> {
  const dir = join(home, `library-${randomUUID().slice(0, 8)}`);
  const hashes = new Set<string>();
  const folders = ['', 'Summer', 'Summer/Beach', 'Winter'];
  for (let n = 0; n < count; n++) {
    const folder = join(dir, folders[n % folders.length]);
    mkdirSync(folder, { recursive: true });
    const bytes = await jpeg(noise);
    writeFileSync(join(folder, `photo ${n}.jpg`), bytes);
    hashes.add(createHash('sha256').update(bytes).digest('hex'));
  }
  writeFileSync(join(dir, 'notes.txt'), 'not an image');
  mkdirSync(join(dir, '.thumbnails'), { recursive: true });
  writeFileSync(join(dir, '.thumbnails', 'photo 0.jpg'), await jpeg());
  writeFileSync(join(dir, '.hidden.jpg'), await jpeg());
  return { dir, hashes };
}

const hashesIn = async (galleryId: number) =>
  (await world.db.image.findMany({ where: { galleryId }, select: { sha256: true } })).map((row) => row.sha256);

/** Waits until `check` holds (polled every 20 ms), at most `ms`. */
async function until(check: () => Promise<boolean>, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((done) => setTimeout(done, 20));
  }
}

beforeEach(async () => {
  world = await prepareWorld();
  home = join(process.env.TEST_TMP_DIR!, `home-${randomUUID().slice(0, 8)}`);
  mkdirSync(home, { recursive: true });
  server = await startServer(world.env);
  auth = await login(server.url, world.credentials);
});
afterEach(async () => {
  await stopAllServers();
  await world.close();
  rmSync(home, { recursive: true, force: true });
});

describe('gallery login, whoami, logout', () => {
  it('keeps a personal token in a 0600 file, says who it is, and revokes it on logout', async () => {
    const env = { GALLERY_SERVER: '', GALLERY_TOKEN: '' };
    const { username, password } = world.credentials;
    const signedIn = await gallery(['login', '--server', server.url, '--username', username, '--json'], {
      env,
      input: `${password}\n`,
    });
    expect(signedIn.code).toBe(0);
    const file = join(home, 'config', 'gallery', 'credentials.json');
    expect(json(signedIn)).toMatchObject({ server: server.url, username, credentials: file });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { token: string };
    const tokens = await world.db.token.findMany({ where: { kind: 'personal' } });
    expect(tokens).toHaveLength(1);

    const me = await gallery(['whoami', '--json'], { env });
    expect(me.code).toBe(0);
    expect(json(me)).toMatchObject({ server: server.url, username, role: 'beta_player' });

    const out = await gallery(['logout'], { env });
    expect(out.code).toBe(0);
    expect(existsSync(file)).toBe(false);
    const revoked = await gallery(['whoami'], { env: { GALLERY_SERVER: server.url, GALLERY_TOKEN: stored.token } });
    expect(revoked.code).toBe(1);
    expect(revoked.stderr).toMatch(/Invalid token/);
  });

  it('refuses a wrong password and says how to sign in when there are no credentials', async () => {
    const env = { GALLERY_SERVER: '', GALLERY_TOKEN: '' };
    const wrong = await gallery(['login', '--server', server.url, '--username', world.credentials.username], {
      env,
      input: 'not the password\n',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/Sign-in failed: Invalid credentials/);
    const none = await gallery(['whoami'], { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/gallery login --server URL/);
  });
});

describe('gallery login with two-factor sign-in', () => {
  it('signs in with --otp, and says how when the code is missing', async () => {
    const env = { GALLERY_SERVER: '', GALLERY_TOKEN: '' };
    const { username, password } = world.credentials;
    const post = (path: string, body: object) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    await awayFromStepEdge();
    const { secret } = (await (await post('/api/auth/2fa/enrol', { password })).json()) as { secret: string };
    expect((await post('/api/auth/2fa/confirm', { otp: codeAt(secret, -1) })).status).toBe(200);

    const args = ['login', '--server', server.url, '--username', username];
    const missing = await gallery(args, { env, input: `${password}\n` });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/second factor: .* with --otp CODE/);
    const wrong = await gallery([...args, '--otp', '000000'], { env, input: `${password}\n` });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/Sign-in failed: The one-time code is not valid/);
    const signedIn = await gallery([...args, '--otp', codeAt(secret), '--json'], { env, input: `${password}\n` });
    expect(signedIn.code).toBe(0);
    expect(await world.db.token.count({ where: { kind: 'personal' } })).toBe(1);
  });
});

describe('gallery import', () => {
  it('imports a tree once, however often it runs: the second run skips every file', async () => {
    const { dir, hashes } = await library(10);
    const first = await gallery(['import', dir, '--gallery', String(world.galleryId), '--json']);
    expect(first.code).toBe(0);
    const report = json(first);
    expect(report.uploaded).toHaveLength(10);
    expect(report.failed).toEqual([]);
    expect(report.ignored).toEqual([join(dir, 'notes.txt')]);
    expect(new Set(await hashesIn(world.galleryId))).toEqual(hashes);

    const second = await gallery(['import', dir, '--gallery', String(world.galleryId), '--json']);
    expect(second.code).toBe(0);
    expect(json(second)).toMatchObject({ uploaded: [], failed: [] });
    expect(json(second).skipped).toHaveLength(10);
    expect((await hashesIn(world.galleryId)).sort()).toEqual([...hashes].sort());
    const titles = await world.db.image.findMany({ where: { galleryId: world.galleryId }, select: { title: true } });
    expect(titles.map((t) => t.title).sort()).toEqual(Array.from({ length: 10 }, (_, n) => `photo ${n}`).sort());
  });

  it('--by-folder makes one gallery per folder, once, and --dry-run sends nothing', async () => {
    const { dir } = await library(8);
    const dry = await gallery(['import', dir, '--by-folder', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(json(dry)).toMatchObject({ dryRun: true });
    expect(await world.db.image.count()).toBe(0);
    for (let run = 0; run < 2; run++) expect((await gallery(['import', dir, '--by-folder'])).code).toBe(0);
    const galleries = await world.db.gallery.findMany({ include: { _count: { select: { images: true } } } });
    const counts = Object.fromEntries(galleries.map((g) => [g.name, g._count.images]));
    expect(counts).toEqual({ 'Crash tests': 0, [dir.split('/').pop()!]: 2, Summer: 2, 'Summer/Beach': 2, Winter: 2 });
  });

  it('after kill -9 of the client halfway, a second run ends with each file exactly once', async () => {
    const { dir, hashes } = await library(24, true);
    const args = ['import', dir, '--gallery', String(world.galleryId), '--concurrency', '1', '--batch-files', '1'];
    const child = spawnCli(args);
    const ended = new Promise((done) => child.once('close', done));
    await until(async () => (await world.db.image.count()) >= 3);
    child.kill('SIGKILL');
    await ended;
    expect(await world.db.image.count()).toBeLessThan(24);
    const again = await gallery([...args, '--json']);
    expect(again.code).toBe(0);
    const after = await hashesIn(world.galleryId);
    expect(after).toHaveLength(24);
    expect(new Set(after)).toEqual(hashes);
  });

  it('after kill -9 of the server halfway, a restart and a second run: each file once, no orphan', async () => {
    const { dir, hashes } = await library(24, true);
    const args = ['import', dir, '--gallery', String(world.galleryId), '--concurrency', '2', '--batch-files', '2'];
    const child = spawnCli([...args, '--retries', '0', '--json']);
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const ended = new Promise<number | null>((done) => child.once('close', done));
    await until(async () => (await world.db.image.count()) >= 4);
    server.kill('SIGKILL');
    await server.exited;
    expect(await ended).toBe(1);
    expect(stdout).toMatch(/could not be reached|failed/);

    server = await startServer(world.env);
    const again = await gallery([...args, '--json']);
    expect(again.code).toBe(0);
    const after = await hashesIn(world.galleryId);
    expect(after).toHaveLength(24);
    expect(new Set(after)).toEqual(hashes);
    await server.stop();
    const check = await storageCheck();
    expect(check).toMatchObject({ rowsWithoutFile: [], damaged: [], filesWithoutRow: [] });
  });

  it('exits 1 and names the file when one fails, 2 for a mistake in the command', async () => {
    const { dir } = await library(2);
    writeFileSync(join(dir, 'broken.jpg'), Buffer.concat([(await jpeg()).subarray(0, 60)]));
    const run = await gallery(['import', dir, '--gallery', String(world.galleryId), '--json']);
    expect(run.code).toBe(1);
    expect(json(run).failed).toEqual([{ path: join(dir, 'broken.jpg'), status: 415, message: expect.any(String) }]);
    expect(json(run).uploaded).toHaveLength(2);
    expect((await gallery(['import', dir])).code).toBe(2);
    expect((await gallery(['import', dir, '--gallery', 'x'])).code).toBe(2);
    expect((await gallery(['import', join(dir, 'nowhere'), '--gallery', '1'])).code).toBe(2);
    const text = await gallery(['import', dir, '--gallery', String(world.galleryId)]);
    expect(text.stdout).toMatch(/uploaded 0, skipped 2, failed 1/);
  });
});

describe('gallery import of large files: resumable uploads', () => {
  it('sends files above --resumable-above through tus, and resumes one a killed run began', async () => {
    const dir = join(home, 'large');
    mkdirSync(dir);
    const big = [await jpeg(true), await jpeg(true), await jpeg(true)];
    big.forEach((bytes, n) => writeFileSync(join(dir, `big ${n}.jpg`), bytes));
    const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    // What a run killed halfway through its upload of `big 0.jpg` leaves: the upload begun on the
    // server with half the bytes, and its URL in the client's uploads.json.
    const half = Math.floor(big[0].length / 2);
    const metadata = `gallery ${Buffer.from(String(world.galleryId)).toString('base64')},title ${Buffer.from('big 0').toString('base64')}`;
    const tus = { ...auth, 'Tus-Resumable': '1.0.0' };
    const created = await fetch(`${server.url}/api/uploads/`, {
      method: 'POST',
      headers: { ...tus, 'Upload-Length': String(big[0].length), 'Upload-Metadata': metadata },
    });
    expect(created.status).toBe(201);
    const url = new URL(created.headers.get('Location')!, server.url).toString();
    const patched = await fetch(url, {
      method: 'PATCH',
      headers: { ...tus, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
      body: big[0].subarray(0, half),
    });
    expect(patched.status).toBe(204);
    mkdirSync(join(home, 'config', 'gallery'), { recursive: true });
    const key = `${server.url} ${world.galleryId} ${sha(big[0])}`;
    writeFileSync(join(home, 'config', 'gallery', 'uploads.json'), JSON.stringify({ [key]: { url, at: '' } }));

    const run = await gallery([
      'import',
      dir,
      '--gallery',
      String(world.galleryId),
      '--resumable-above',
      '0',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const uploaded = json(run).uploaded as { path: string; resumedAt?: number }[];
    expect(uploaded).toHaveLength(3);
    expect(uploaded.find((u) => u.path.endsWith('big 0.jpg'))?.resumedAt).toBe(half);
    expect(new Set(await hashesIn(world.galleryId))).toEqual(new Set(big.map(sha)));
    expect(JSON.parse(readFileSync(join(home, 'config', 'gallery', 'uploads.json'), 'utf8'))).toEqual({});
  });
});

describe('gallery export, ls', () => {
  it('exports a gallery with its manifest, resumes, and imports into another gallery with the same hashes', async () => {
    const { dir, hashes } = await library(6);
    expect((await gallery(['import', dir, '--gallery', String(world.galleryId)])).code).toBe(0);
    const out = join(home, 'export');
    const first = await gallery(['export', String(world.galleryId), out, '--json']);
    expect(first.code).toBe(0);
    expect(json(first)).toMatchObject({ downloaded: 6, kept: 0, failed: [] });
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      images: {
        file: string;
        kind: string;
        sha256: string;
        fileSha256: string;
        title: string;
        exif: object;
        tags: string[];
      }[];
    };
    expect(manifest.images).toHaveLength(6);
    for (const image of manifest.images) {
      expect(image.kind).toBe('original');
      const bytes = readFileSync(join(out, image.file));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(image.sha256);
      expect(image.exif).toMatchObject({ hasGps: false, lensModel: null });
      expect(image).toMatchObject({ tags: [], favorite: false });
    }
    writeFileSync(join(out, manifest.images[0].file), 'damaged');
    const resumed = await gallery(['export', String(world.galleryId), out, '--json']);
    expect(json(resumed)).toMatchObject({ downloaded: 1, kept: 5 });

    const other = await world.db.gallery.create({
      data: {
        name: 'Copy',
        ownerId: (await world.db.gallery.findUniqueOrThrow({ where: { id: world.galleryId } })).ownerId,
      },
    });
    expect((await gallery(['import', out, '--gallery', String(other.id)])).code).toBe(0);
    expect(new Set(await hashesIn(other.id))).toEqual(hashes);
    const titles = await world.db.image.findMany({ where: { galleryId: other.id }, select: { title: true } });
    expect(titles.map((t) => t.title).sort()).toEqual(manifest.images.map((i) => i.title).sort());

    const galleries = await gallery(['ls', '--json']);
    expect(json(galleries)).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: other.id, name: 'Copy', imageCount: 6 })]),
    );
    const images = await gallery(['ls', String(other.id), '--json']);
    expect((JSON.parse(images.stdout) as { sha256: string }[]).map((i) => i.sha256).sort()).toEqual([...hashes].sort());
    expect((await gallery(['ls', String(other.id)])).stdout).toMatch(/^ID\s+TITLE/);
    for (const command of ['import', 'export', 'ls', 'login', 'logout', 'whoami']) {
      const help = await gallery([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: gallery ${command}`));
    }
  });
});

describe("gallery import of a manifest's tags and star", () => {
  /** A call of the API as the world's owner; its JSON. */
  async function call(method: string, path: string, body?: unknown) {
    const reply = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...auth, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(reply.status).toBe(200);
    return (await reply.json()) as { id: number; sha256: string; tags: string[]; favorite: boolean };
  }
  /** Each image of the gallery as its owner sees it: tags and star, by the SHA-256 of its original. */
  async function tagsBySha(galleryId: number) {
    const rows = await world.db.image.findMany({ where: { galleryId }, select: { id: true } });
    const images = await Promise.all(rows.map((row) => call('GET', `/api/gallery/images/${row.id}`)));
    return Object.fromEntries(images.map((i) => [i.sha256, { tags: [...i.tags].sort(), favorite: i.favorite }]));
  }

  it('export, then import into another gallery: the same tags, the star for the importer, again idempotent', async () => {
    const { dir } = await library(4);
    expect((await gallery(['import', dir, '--gallery', String(world.galleryId)])).code).toBe(0);
    const ids = (await world.db.image.findMany({ where: { galleryId: world.galleryId }, orderBy: { id: 'asc' } })).map(
      (row) => row.id,
    );
    await call('PUT', `/api/gallery/images/${ids[0]}/tags`, { tags: ['Beach', '  Summer   2026 '] });
    await call('PUT', `/api/gallery/images/${ids[1]}/tags`, { tags: ['night'] });
    await call('PUT', `/api/gallery/images/${ids[1]}/favorite`);
    await call('PUT', `/api/gallery/images/${ids[3]}/tags`, { tags: ['beach'] });
    const source = await tagsBySha(world.galleryId);
    expect(Object.values(source).filter((image) => image.tags.length > 0)).toHaveLength(3);

    const out = join(home, 'export-tags');
    expect((await gallery(['export', String(world.galleryId), out])).code).toBe(0);
    const other = await world.db.gallery.create({
      data: {
        name: 'Copy with tags',
        ownerId: (await world.db.gallery.findUniqueOrThrow({ where: { id: world.galleryId } })).ownerId,
      },
    });
    const dry = await gallery(['import', out, '--gallery', String(other.id), '--dry-run', '--json']);
    const planned = json(dry) as unknown as { upload: { tags?: string[]; favorite?: boolean }[] };
    expect(planned.upload.map((u) => [...(u.tags ?? [])].sort()).sort()).toEqual(
      Object.values(source)
        .map((image) => image.tags)
        .sort(),
    );
    expect(planned.upload.filter((u) => u.favorite)).toHaveLength(1);
    const run = await gallery(['import', out, '--gallery', String(other.id), '--json']);
    expect(run.code).toBe(0);
    const report = json(run) as unknown as { tagged: { tags: string[]; favorite: boolean }[]; tagsFailed: unknown[] };
    expect(report.tagsFailed).toEqual([]);
    expect(report.tagged).toHaveLength(3);
    expect(await tagsBySha(other.id)).toEqual(source);
    expect(source).toEqual(
      expect.objectContaining({
        [Object.keys(source).find((sha) => source[sha].favorite)!]: { tags: ['night'], favorite: true },
      }),
    );
    expect(Object.values(source).map((image) => image.tags)).toContainEqual(['beach', 'summer 2026']);

    const again = await gallery(['import', out, '--gallery', String(other.id)]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(
      /uploaded 0, skipped 4, failed 0\ntags and stars from the manifest: 3 given, 0 failed/,
    );
    expect(await tagsBySha(other.id)).toEqual(source);
  });

  it("takes the tags of a zip download's manifest, unpacked", async () => {
    const { dir } = await library(3);
    expect((await gallery(['import', dir, '--gallery', String(world.galleryId)])).code).toBe(0);
    const first = await world.db.image.findFirstOrThrow({
      where: { galleryId: world.galleryId },
      orderBy: { id: 'asc' },
    });
    await call('PUT', `/api/gallery/images/${first.id}/tags`, { tags: ['Zip Tag', 'other'] });
    const source = await tagsBySha(world.galleryId);

    const archive = await fetch(`${server.url}/api/gallery/galleries/${world.galleryId}/download`, { headers: auth });
    expect(archive.status).toBe(200);
    const unpacked = join(home, 'unpacked');
    mkdirSync(unpacked);
    writeFileSync(join(home, 'download.zip'), Buffer.from(await archive.arrayBuffer()));
    execFileSync('unzip', ['-q', join(home, 'download.zip'), '-d', unpacked]);
    expect(readFileSync(join(unpacked, 'manifest.json'), 'utf8')).toContain('"zip tag"');

    const other = await world.db.gallery.create({
      data: {
        name: 'From a zip',
        ownerId: (await world.db.gallery.findUniqueOrThrow({ where: { id: world.galleryId } })).ownerId,
      },
    });
    const run = await gallery(['import', unpacked, '--gallery', String(other.id), '--json']);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/warning/);
    expect(await tagsBySha(other.id)).toEqual(source);
    expect(Object.values(source).map((image) => image.tags)).toContainEqual(['other', 'zip tag']);
  });

  it('warns of a manifest it cannot use and imports by file names; a tag the server refuses fails that file, said so', async () => {
    const broken = join(home, 'broken-manifest');
    mkdirSync(broken);
    writeFileSync(join(broken, 'a.jpg'), await jpeg());
    writeFileSync(join(broken, 'manifest.json'), '{"images": [');
    const first = await gallery(['import', broken, '--gallery', String(world.galleryId), '--json']);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/warning: .*manifest\.json: not valid JSON .*titles come from the file names/);
    expect(json(first)).toMatchObject({ uploaded: [{ title: 'a' }], failed: [], tagged: [] });

    const odd = join(home, 'odd-manifest');
    mkdirSync(odd);
    for (const name of ['good.jpg', 'bad.jpg', 'odd.jpg']) writeFileSync(join(odd, name), await jpeg());
    const manifest = {
      images: [
        { file: 'good.jpg', title: 'Good', tags: ['Kept'] },
        { file: 'bad.jpg', title: 'Bad', tags: ['ring\u0007bell', 'fine'] },
        { file: 'odd.jpg', title: 'Odd', tags: 'not a list', favorite: 'yes' },
        { file: 'gone.jpg', title: 'Gone', tags: ['x'] },
        { title: 'no file' },
      ],
    };
    writeFileSync(join(odd, 'manifest.json'), JSON.stringify(manifest));
    const run = await gallery(['import', odd, '--gallery', String(world.galleryId), '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/odd\.jpg: "tags" is not a list of strings/);
    expect(run.stderr).toMatch(/odd\.jpg: "favorite" is not true or false/);
    expect(run.stderr).toMatch(/1 of its files are not in the folder \(gone\.jpg\)/);
    expect(run.stderr).toMatch(/1 of its images have no file name or title/);
    const report = json(run) as unknown as {
      uploaded: { title: string }[];
      tagged: { path: string; tags: string[] }[];
      tagsFailed: { path: string; status: number; message: string }[];
    };
    expect(report.uploaded.map((u) => u.title).sort()).toEqual(['Bad', 'Good', 'Odd']);
    expect(report.tagged).toEqual([expect.objectContaining({ path: join(odd, 'good.jpg'), tags: ['Kept'] })]);
    expect(report.tagsFailed).toEqual([
      { path: join(odd, 'bad.jpg'), image: expect.any(Number), status: 400, message: expect.stringMatching(/control/) },
    ]);
    const byTitle = async (title: string) => {
      const row = await world.db.image.findFirstOrThrow({ where: { galleryId: world.galleryId, title } });
      return call('GET', `/api/gallery/images/${row.id}`);
    };
    expect((await byTitle('Good')).tags).toEqual(['kept']);
    expect((await byTitle('Bad')).tags).toEqual([]);
    expect(await byTitle('Odd')).toMatchObject({ tags: [], favorite: false });

    const text = await gallery(['import', odd, '--gallery', String(world.galleryId)]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/tags not given: .*bad\.jpg: .*control/);
    expect(text.stdout).toMatch(/tags and stars from the manifest: 1 given, 1 failed/);
  });
});

/** `npm run storage:check` on the world's database and upload folder, as JSON. */
async function storageCheck(): Promise<Record<string, unknown>> {
  const command =
    process.env.TEST_FAST === '1'
      ? [process.execPath, '--import', 'tsx', 'src/cli/storage-check.ts']
      : [process.execPath, 'dist/cli/storage-check.js'];
  const child = spawn(command[0], command.slice(1), {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...world.env, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  await new Promise((done) => child.once('close', done));
  return JSON.parse(stdout) as Record<string, unknown>;
}
