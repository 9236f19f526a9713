// Server memory while a 100 MB image is uploaded: the server runs in its own process
// (`node dist/server.js`, built first) so that its resident set can be read from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { openDatabase } from '../../src/platform/db/client';
import { freePort } from '../lib/free-port';
import { HUGE, noiseJpeg, sharedNoiseJpegs, SMALL, writeAll } from './images';
import { multipartBody, multipartFrame, post, postJson, type Reply } from './multipart';
import { killOnExit, MiB, percentile, printTable, tempDir, verdict } from './util';

export type RssOptions = { budgetMb: number; intervalMs: number };

const REPO = resolve(__dirname, '..', '..');

/** VmRSS and VmHWM (the kernel's high-water mark) of a process, in bytes. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output()}`);
    const ok = await fetch(`${url}/health`).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not answer /health within 60 s:\n${output()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function runUploadRss(options: RssOptions): Promise<void> {
  const dir = tempDir('gallery-bench-rss-');
  let child: ChildProcess | undefined;
  try {
    process.stdout.write(
      `generating a ${HUGE.label} noise JPEG (${HUGE.width}×${HUGE.height}, ${((HUGE.width * HUGE.height) / 1e6).toFixed(0)} MP)... `,
    );
    const [hugePath] = await writeAll(dir.path, [await noiseJpeg(HUGE)], 'huge');
    const hugeSize = statSync(hugePath).size;
    const warmUps = await sharedNoiseJpegs(SMALL, 2);
    console.log(`${(hugeSize / 1e6).toFixed(1)} MB`);

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const databaseUrl = `file:${join(dir.path, 'rss.db')}`;
    const uploadDir = join(dir.path, 'uploads');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      UPLOAD_DIR: uploadDir,
      LOG_LEVEL: 'error',
      BCRYPT_COST: '10',
      MAX_UPLOAD_BYTES: String(150 * MiB),
      STORAGE_QUOTA_MB: '100000',
      RECONCILE_ON_START: 'off',
      RATE_LIMIT_PER_MINUTE: '1000000',
    };
    const started = spawn(process.execPath, ['dist/server.js'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    const stopOnExit = killOnExit(started);
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    started.stdout.on('data', keep);
    started.stderr.on('data', keep);
    await waitForHealth(url, started, () => output);
    const pid = started.pid!;

    // An uploader: registered through the API (as a Subscriber, the default), then made a Beta
    // Player directly in the database, since only an admin may grant that role.
    const username = 'rssbench';
    const password = 'rss-bench-password-4821';
    const registered = await postJson(`${url}/api/auth/register`, {
      username,
      email: `${username}@example.test`,
      password,
      password2: password,
    });
    if (registered.status !== 201) throw new Error(`register: ${registered.status} ${JSON.stringify(registered.json)}`);
    const handle = openDatabase(databaseUrl);
    try {
      const role = await handle.db.role.findUniqueOrThrow({ where: { name: 'beta_player' } });
      await handle.db.user.update({ where: { usernameLower: username }, data: { roleId: role.id } });
    } finally {
      await handle.close();
    }
    const login = await postJson<{ token: string }>(`${url}/api/auth/login`, { username, password });
    if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.json)}`);
    const auth = { authorization: `Token ${login.json.token}` };
    const gallery = await postJson<{ id: number }>(
      `${url}/api/gallery/galleries/`,
      { name: 'RSS bench', description: '' },
      auth,
    );
    if (gallery.status !== 201) throw new Error(`create gallery: ${gallery.status} ${JSON.stringify(gallery.json)}`);
    const fields = (title: string) => ({ title, gallery: String(gallery.json.id) });
    const filePart = { field: 'image', filename: 'noise.jpg', contentType: 'image/jpeg' };

    for (const [i, bytes] of warmUps.entries()) {
      const { contentType, body } = multipartBody(fields(`warm-up ${i}`), filePart, bytes);
      const reply = await post(`${url}/api/gallery/images/`, auth, contentType, { buffer: body });
      if (reply.status !== 201) throw new Error(`warm-up upload: ${reply.status} ${reply.body.slice(0, 300)}`);
    }

    await new Promise((r) => setTimeout(r, 500));
    const idleSamples: number[] = [];
    for (let i = 0; i < 50; i++) {
      idleSamples.push(memoryOf(pid).rss);
      await new Promise((r) => setTimeout(r, options.intervalMs));
    }
    const idle = percentile(idleSamples, 50);
    // Writing 5 to clear_refs resets VmHWM to the current RSS, so VmHWM then is the exact peak.
    let hwmReset = false;
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
      hwmReset = true;
    } catch {
      // an older kernel, or not allowed: the sampled peaks only
    }

    const tempUploads = join(uploadDir, 'tmp');
    const samples: { t: number; rss: number }[] = [];
    let transferEnd = NaN;
    let hwmAtTransferEnd = NaN;
    const start = performance.now();
    const sample = () => {
      const t = performance.now() - start;
      const { rss, hwm } = memoryOf(pid);
      samples.push({ t, rss });
      if (Number.isNaN(transferEnd)) {
        // The transfer is over when the server's temp file holds every byte of the image.
        for (const name of readdirSync(tempUploads)) {
          if (!name.endsWith('.upload')) continue;
          const size = (() => {
            try {
              return statSync(join(tempUploads, name)).size;
            } catch {
              return 0;
            }
          })();
          if (size >= hugeSize) {
            transferEnd = t;
            hwmAtTransferEnd = hwm;
          }
        }
      }
    };
    const sampler = setInterval(sample, options.intervalMs);
    const frame = multipartFrame(fields('100 MB noise'), filePart);
    let reply: Reply;
    try {
      reply = await post(`${url}/api/gallery/images/`, auth, frame.contentType, {
        frame,
        path: hugePath,
        size: hugeSize,
      });
    } finally {
      clearInterval(sampler);
    }
    sample();
    const { hwm: hwmAtEnd } = memoryOf(pid);
    if (reply.status !== 201) throw new Error(`100 MB upload: ${reply.status} ${reply.body.slice(0, 300)}`);
    const transferKnown = !Number.isNaN(transferEnd);
    if (!transferKnown) transferEnd = reply.sentMs; // the temp file was never seen full: the client's end of sending
    const during = (until: number) => Math.max(...samples.filter((s) => s.t <= until).map((s) => s.rss));
    const transferPeak = during(transferEnd);
    const requestPeak = during(Infinity);
    const transferWorst = hwmReset && transferKnown ? Math.max(transferPeak, hwmAtTransferEnd) : transferPeak;
    const requestWorst = hwmReset ? Math.max(requestPeak, hwmAtEnd) : requestPeak;

    const m = (bytes: number) => (bytes / MiB).toFixed(1);
    const over = (bytes: number) => `+${m(bytes - idle)}`;
    console.log(
      `\nServer RSS: separate process (node dist/server.js, pid ${pid}), VmRSS sampled every ${options.intervalMs} ms (${samples.length} samples)${hwmReset ? ', VmHWM reset before the upload' : ''}`,
    );
    console.log(
      `  ${(hugeSize / 1e6).toFixed(1)} MB JPEG streamed from disk; transfer ${transferEnd.toFixed(0)} ms (${transferKnown ? "until the server's temp file was complete" : 'client side'}), whole request ${reply.ms.toFixed(0)} ms\n`,
    );
    const rows: string[][] = [
      ['idle (median over 1 s, after 2 warm-up uploads)', m(idle), ''],
      ['peak during the transfer (sampled VmRSS)', m(transferPeak), over(transferPeak)],
      ...(hwmReset && transferKnown
        ? [['peak during the transfer (VmHWM at its end)', m(hwmAtTransferEnd), over(hwmAtTransferEnd)]]
        : []),
      ['peak during the whole request (sampled VmRSS)', m(requestPeak), over(requestPeak)],
      ...(hwmReset ? [['peak during the whole request (VmHWM)', m(hwmAtEnd), over(hwmAtEnd)]] : []),
    ];
    printTable(['server RSS', 'MiB', 'over idle'], rows, [52, 9, 11]);
    console.log('');
    console.log(
      verdict(
        transferWorst - idle <= options.budgetMb * MiB,
        `peak RSS during the ${HUGE.label} transfer: ${over(transferWorst)} MiB over idle (target ≤ ${options.budgetMb})`,
      ),
    );
    console.log(
      `info  peak RSS during the whole request incl. decode and variants: ${over(requestWorst)} MiB over idle`,
    );

    await stopChild(started);
    stopOnExit();
  } finally {
    if (child) await stopChild(child);
    dir.remove();
  }
}
