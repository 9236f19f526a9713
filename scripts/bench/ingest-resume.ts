// The ingest section's resume figure: one photo of about 25 MB sent through tus by `gallery
// import`, the client killed (kill -9) once the server holds half of it, then the same command
// again: the share of the bytes it had to send again (the whole file less the offset it resumed at).
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import sharp from 'sharp';

import { importServer, spawnImport } from './gallery-cli';

/** A JPEG of about 25 MB (just under the default MAX_UPLOAD_BYTES): fine noise at high quality barely compresses. */
function bigPhoto(): Promise<Buffer> {
  const create = { width: 3850, height: 2880, channels: 3 as const, background: '#808080' };
  return sharp({ create: { ...create, noise: { type: 'gaussian', mean: 128, sigma: 70 } } })
    .jpeg({ quality: 97, chromaSubsampling: '4:4:4' })
    .toBuffer();
}

/** The uploads the server holds under `uploadDir/resumable/`: each one's name and bytes so far. */
function held(uploadDir: string): Map<string, number> {
  const folder = join(uploadDir, 'resumable');
  const uploads = new Map<string, number>();
  try {
    for (const name of readdirSync(folder, { recursive: true }) as string[]) {
      const stat = statSync(join(folder, name));
      if (!name.endsWith('.json') && stat.isFile()) uploads.set(name, stat.size);
    }
  } catch {
    // not made yet, or an upload finished and went between the listing and its stat
  }
  return uploads;
}

const largest = (uploads: Map<string, number>) => Math.max(0, ...uploads.values());

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * A TCP relay to `target` that lets the client send `bytesPerSecond` at most, as a slow uplink does
 * (the loopback would carry the whole file before it could be cut).
 */
async function slowUplink(target: string, bytesPerSecond: number) {
  const { hostname, port } = new URL(target);
  const relay = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    upstream.pipe(client);
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      client.pause();
      setTimeout(() => client.resume(), (chunk.length / bytesPerSecond) * 1000);
    });
    client.on('end', () => upstream.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((done) => relay.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
  return { url, close: () => new Promise((done) => relay.close(done)) };
}

export async function resumeAfterKill(dir: string): Promise<{ total: number; cutAt: number; sentAgain: number }> {
  const library = join(dir, 'library');
  const uploadDir = join(dir, 'uploads');
  mkdirSync(library, { recursive: true });
  const bytes = await bigPhoto();
  writeFileSync(join(library, 'big.jpg'), bytes);
  const total = bytes.length;
  const { server, token } = await importServer(`file:${join(dir, 'resume.db')}`, uploadDir);
  try {
    // Sent at 10 MB/s, slowly enough to be cut near the middle: one file, one connection.
    const uplink = await slowUplink(server.url, 10e6);
    const first = spawnImport(uplink, token, library, ['--resumable-above', '0', '--concurrency', '1']);
    first.stdout.resume();
    while (largest(held(uploadDir)) < total / 2) {
      await pause(5);
      if (first.exitCode !== null) throw new Error('gallery import ended before it could be cut');
    }
    first.kill('SIGKILL');
    await new Promise((done) => first.once('close', done));
    await pause(500); // the server notices the closed connection and keeps what arrived
    const before = held(uploadDir);
    const offset = largest(before);
    // Run again; an upload begun anew (a name not there before) would send every byte again.
    const second = spawnImport(uplink, token, library, ['--resumable-above', '0', '--concurrency', '1']);
    second.stdout.resume();
    let anew = false;
    while (second.exitCode === null) {
      for (const name of held(uploadDir).keys()) if (!before.has(name)) anew = true;
      await pause(5);
    }
    void uplink.close();
    if (second.exitCode !== 0) throw new Error(`gallery import, run again: exit ${second.exitCode}`);
    return { total, cutAt: offset / total, sentAgain: anew ? 1 : (total - offset) / total };
  } finally {
    await server.stop();
  }
}
