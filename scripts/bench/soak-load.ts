// The load of the `soak` section: an open-loop mix of reads, uploads, deletes (to the trash),
// restores, trash listings and logins at a fixed rate. Requests leave on schedule whatever the
// replies do, and each one's latency runs from the moment it was due (not from when it left), so a
// slow server shows in the figures instead of slowing the load down.
import http from 'node:http';

import { noiseJpeg, type JpegSpec } from './images';
import { multipartBody } from './multipart';
import { prng } from './util';

/** ≈20 KB: distinct 320×240 noise JPEGs, made in this process while the load runs. */
export const SOAK_JPEG: JpegSpec = {
  label: '320×240',
  width: 320,
  height: 240,
  quality: 80,
  chromaSubsampling: '4:2:0',
};

/** ok: 2xx; expected: a 404/409 from a race between the load's own deletes, restores and reads. */
export type Kind = 'ok' | 'expected' | 'unexpected' | 'error';
/** One reply: `at` is when the request was due (ms since the start), `ms` from then to its last byte. */
export type Outcome = { route: string; at: number; ms: number; status: number; kind: Kind; note?: string };
export type Reply = { status: number; body: Buffer };
export type User = { username: string; password: string; token: string; beta: boolean };
export type LoadSetup = { url: string; owner: User; users: User[]; galleries: number[]; images: number[] };

/** The mix, in percent of the scheduled requests. */
export const MIX = { read: 70, upload: 8, delete: 8, restore: 6, trash: 4, login: 4 } as const;
type Op = keyof typeof MIX;
/** Past this many of its images in the trash, a trash operation empties the trash instead of listing it. */
const TRASH_CAP = 100;
/** At most this many images trashed in one request (POST /api/gallery/images/bulk). */
const MAX_BULK = 5;

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
let resent = 0;
/** Requests sent again because the server closed an idle kept-alive connection as it was reused. */
export const resentCount = () => resent;

type Send = { token?: string; json?: unknown; body?: Buffer; contentType?: string };

/** One HTTP request; resolves (never rejects) with status 0 on a network error or a 60 s timeout. */
export function send(url: string, method: string, options: Send = {}, retry = true): Promise<Reply> {
  const payload = options.json !== undefined ? Buffer.from(JSON.stringify(options.json)) : options.body;
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Token ${options.token}`;
  if (payload) {
    headers['content-type'] = options.json !== undefined ? 'application/json' : options.contentType!;
    headers['content-length'] = String(payload.length);
  }
  return new Promise((resolve) => {
    const req = http.request(url, { method, agent, headers, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', (error) => resolve({ status: 0, body: Buffer.from(String(error)) }));
    });
    req.on('timeout', () => req.destroy(new Error('no reply within 60 s')));
    req.on('error', (error: NodeJS.ErrnoException) => {
      // The race Node's documentation describes: a kept-alive socket closed by the server as it is reused.
      if (retry && req.reusedSocket && error.code === 'ECONNRESET') {
        resent++;
        resolve(send(url, method, options, false));
      } else resolve({ status: 0, body: Buffer.from(String(error)) });
    });
    req.end(payload);
  });
}

/** Ids with O(1) add, remove and random pick. */
class IdSet {
  private ids: number[] = [];
  private index = new Map<number, number>();
  constructor(ids: number[] = []) {
    for (const id of ids) this.add(id);
  }
  get size() {
    return this.ids.length;
  }
  has(id: number) {
    return this.index.has(id);
  }
  add(id: number) {
    if (this.index.has(id)) return;
    this.index.set(id, this.ids.length);
    this.ids.push(id);
  }
  remove(id: number) {
    const at = this.index.get(id);
    if (at === undefined) return;
    const last = this.ids.pop()!;
    if (last !== id) {
      this.ids[at] = last;
      this.index.set(last, at);
    }
    this.index.delete(id);
  }
  pick(random: () => number): number | undefined {
    return this.ids.length === 0 ? undefined : this.ids[Math.floor(random() * this.ids.length)];
  }
}

const json = <T>(reply: Reply) => {
  try {
    return JSON.parse(reply.body.toString('utf8')) as T;
  } catch {
    return undefined;
  }
};
type ItemResults = { results?: { id: number; status: number }[] };

/** The state the load keeps of the library, and the operations that change it. */
export function createLoad(setup: LoadSetup, start: number) {
  const random = prng(0x50a4);
  const visible = new IdSet(setup.images);
  const target = setup.images.length;
  let trashed: number[] = []; // newest last: a restore takes the most recently trashed (an undo)
  const removedAt = new Map<number, number>();
  const outcomes: Outcome[] = [];
  const counts = { uploaded: 0, trashed: 0, restored: 0, emptied: 0, purged: 0, nothingToRestore: 0 };
  const ready: Promise<Buffer>[] = [];
  const fill = () => {
    while (ready.length < 16) ready.push(noiseJpeg(SOAK_JPEG));
  };
  const nextJpeg = () => {
    fill();
    return ready.shift()!;
  };
  fill();
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  const readers = setup.users.filter((user) => user.beta);
  const now = () => performance.now() - start;

  /** Sends, then records the reply; `judge` tells 2xx and known races apart from the rest. */
  async function timed(route: string, at: number, go: () => Promise<Reply>, judge?: (r: Reply) => Kind | undefined) {
    const reply = await go();
    const judged = judge?.(reply);
    const kind: Kind =
      reply.status === 0 || reply.status >= 500
        ? 'error'
        : (judged ?? (reply.status >= 200 && reply.status < 300 ? 'ok' : 'unexpected'));
    const note = kind === 'ok' || kind === 'expected' ? undefined : reply.body.toString('utf8').slice(0, 200);
    outcomes.push({ route, at, ms: now() - at, status: reply.status, kind, note });
    return reply;
  }
  const get = (path: string, token: string) => () => send(`${setup.url}${path}`, 'GET', { token });
  /** A 404 of an image that the load itself removed from the library after (or while) asking for it. */
  const raced = (id: number, at: number) => (reply: Reply) =>
    reply.status === 404 && (!visible.has(id) || (removedAt.get(id) ?? -1) >= at) ? 'expected' : undefined;

  async function read(at: number) {
    const choice = Math.floor(random() * 4);
    const id = visible.pick(random);
    if (choice === 0) return timed('GET galleries', at, get('/api/gallery/galleries/', pick(setup.users).token));
    const gallery = pick(setup.galleries);
    const query = random() < 0.5 ? `?gallery=${gallery}&limit=50` : '?limit=50';
    if (choice === 1 || id === undefined)
      return timed('GET images page', at, get(`/api/gallery/images/${query}`, pick(readers).token));
    if (choice === 2)
      return timed('GET image', at, get(`/api/gallery/images/${id}/`, pick(readers).token), raced(id, at));
    const thumb = `/api/gallery/images/${id}/file/?size=thumb`;
    return timed('GET thumbnail', at, get(thumb, pick(setup.users).token), raced(id, at));
  }

  async function upload(at: number) {
    const bytes = await nextJpeg();
    const n = counts.uploaded++;
    const fields = { title: `Soak ${n}`, gallery: String(pick(setup.galleries)) };
    const file = { field: 'image', filename: `soak-${n}.jpg`, contentType: 'image/jpeg' };
    const { contentType, body } = multipartBody(fields, file, bytes);
    const reply = await timed('POST image (upload)', at, () =>
      send(`${setup.url}/api/gallery/images/`, 'POST', { token: setup.owner.token, body, contentType }),
    );
    const id = json<{ id?: number }>(reply)?.id;
    if (reply.status === 201 && id) visible.add(id);
  }

  /** After a trash request: what went is in the trash, what did not is still in the library. */
  function settle(asked: number[], gone: number[]) {
    for (const id of asked) {
      if (gone.includes(id)) trashed.push(id);
      else visible.add(id);
    }
    counts.trashed += gone.length;
  }

  /** Trashes one image, or (while the library is over its size) a few through the bulk endpoint. */
  async function trash(at: number) {
    const ids: number[] = [];
    const howMany = Math.min(MAX_BULK, Math.max(1, visible.size - target + 1));
    while (ids.length < howMany && visible.size > 0) {
      const id = visible.pick(random)!;
      visible.remove(id);
      removedAt.set(id, now());
      ids.push(id);
    }
    if (ids.length === 0) return read(at);
    const token = setup.owner.token;
    if (ids.length === 1) {
      const reply = await timed(
        'DELETE image (to trash)',
        at,
        () => send(`${setup.url}/api/gallery/images/${ids[0]}/`, 'DELETE', { token }),
        (r) => (r.status === 200 && json<{ trashed?: boolean }>(r)?.trashed !== true ? 'unexpected' : undefined),
      );
      settle(ids, reply.status === 200 ? ids : []);
    } else {
      const reply = await timed(
        'POST images/bulk trash',
        at,
        () => send(`${setup.url}/api/gallery/images/bulk`, 'POST', { token, json: { action: 'trash', ids } }),
        (r) => (r.status === 207 ? 'unexpected' : undefined),
      );
      const results = json<ItemResults>(reply)?.results ?? [];
      settle(
        ids,
        results.filter((item) => item.status === 200).map((item) => item.id),
      );
    }
  }

  async function restore(at: number) {
    const id = trashed.pop();
    if (id === undefined) {
      counts.nothingToRestore++;
      return listTrash(at);
    }
    const reply = await timed(
      'POST trash/restore',
      at,
      () =>
        send(`${setup.url}/api/gallery/trash/restore`, 'POST', { token: setup.owner.token, json: { images: [id] } }),
      // 207 with a 404 for the image: the trash was emptied while this image was on its way into it.
      (r) =>
        r.status === 207 && json<ItemResults>(r)?.results?.every((item) => item.status === 404)
          ? 'expected'
          : undefined,
    );
    if (reply.status === 200) {
      visible.add(id);
      counts.restored++;
    }
  }

  async function listTrash(at: number) {
    if (trashed.length < TRASH_CAP)
      return timed('GET trash', at, get('/api/gallery/trash/?limit=50', setup.owner.token));
    counts.purged += trashed.length;
    trashed = [];
    counts.emptied++;
    return timed('DELETE trash (empty)', at, () =>
      send(`${setup.url}/api/gallery/trash/`, 'DELETE', { token: setup.owner.token }),
    );
  }

  /** Logs in (a new token) and logs that token out again, so that tokens do not pile up. */
  async function login(at: number) {
    const user = pick(setup.users);
    const reply = await timed('POST auth/login', at, () =>
      send(`${setup.url}/api/auth/login/`, 'POST', { json: { username: user.username, password: user.password } }),
    );
    const token = json<{ token?: string }>(reply)?.token;
    if (token) await timed('POST auth/logout', now(), () => send(`${setup.url}/api/auth/logout/`, 'POST', { token }));
  }

  const ops: Record<Op, (at: number) => Promise<unknown>> = {
    read,
    upload,
    delete: trash,
    restore,
    trash: listTrash,
    login,
  };
  const entries = Object.entries(MIX) as [Op, number][];
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  /** Runs one operation drawn from the mix, due at `at` ms. */
  function next(at: number): Promise<unknown> {
    let roll = random() * total;
    const [op] = entries.find(([, weight]) => (roll -= weight) < 0) ?? entries[0];
    return ops[op](at);
  }
  const library = () => ({ visible: visible.size, trashed: trashed.length });
  return { next, outcomes, counts, library };
}
