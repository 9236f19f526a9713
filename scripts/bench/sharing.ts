// `npm run bench` section `sharing`: what visibility costs a list. 1,000 galleries of 10 images
// each, a third of them private, the signed-in Beta Player a member of some private ones: the page
// of 50 images (and of 50 galleries) as that user, whose queries carry the visibility condition,
// against the same page as an admin (no condition), on the same server in the same run.
import { join } from 'node:path';
import bcrypt from 'bcrypt';

import { prepareAppDatabase } from '../../src/app/database';
import { benchServerEnv, measure, postgresDatabase, startProcess, type Result } from './reads';
import { printTable, tempDir, verdict } from './util';

export type SharingOptions = {
  databases: ('sqlite' | 'postgres')[];
  connections: number[];
  duration: number;
  galleries: number;
};

const PER_GALLERY = 10;

export async function seedGalleries(url: string, galleries: number) {
  const { db, close } = await prepareAppDatabase(url);
  try {
    const roleId = async (name: string) => (await db.role.findUniqueOrThrow({ where: { name } })).id;
    const passwordHash = await bcrypt.hash('bench-password', 4);
    const stamp = Date.now();
    const user = (name: string, role: number) =>
      db.user.create({
        data: {
          username: name,
          usernameLower: name,
          email: `${name}@example.test`,
          emailLower: `${name}@example.test`,
          passwordHash,
          roleId: role,
        },
      });
    const [owner, member, admin] = [
      await user(`owner${stamp}`, await roleId('beta_player')),
      await user(`member${stamp}`, await roleId('beta_player')),
      await user(`admin${stamp}`, await roleId('admin')),
    ];
    const firstCreated = stamp - galleries * PER_GALLERY;
    for (let n = 0; n < galleries; n++) {
      const visibility = n % 3 === 0 ? 'private' : 'shared';
      const gallery = await db.gallery.create({ data: { name: `Gallery ${n}`, ownerId: owner.id, visibility } });
      // The member is in one private gallery of every two, as viewer or editor.
      if (visibility === 'private' && n % 2 === 0)
        await db.galleryMember.create({
          data: { galleryId: gallery.id, userId: member.id, role: n % 4 === 0 ? 'editor' : 'viewer' },
        });
      await db.image.createMany({
        data: Array.from({ length: PER_GALLERY }, (_, i) => ({
          galleryId: gallery.id,
          uploaderId: owner.id,
          title: `Image ${n}.${i}`,
          storageKey: `${(n * PER_GALLERY + i).toString(16).padStart(32, '0')}.png`,
          mimeType: 'image/png',
          size: 123_456,
          sha256: `${n}`.padStart(64, '0'),
          width: 1920,
          height: 1080,
          // Interleaved across galleries, as uploads to several galleries would be.
          createdAt: new Date(firstCreated + i * galleries + n),
        })).map((row, i) => ({ ...row, sha256: `${row.sha256.slice(0, 60)}${i.toString().padStart(4, '0')}` })),
      });
    }
    // Statistics, as autovacuum would have gathered them on a database in use.
    if (!url.startsWith('file:')) await db.$executeRawUnsafe('ANALYZE');
    return { member: member.username, admin: admin.username };
  } finally {
    await close();
  }
}

async function runOn(kind: 'sqlite' | 'postgres', options: SharingOptions): Promise<Result[]> {
  const dir = tempDir('gallery-bench-sharing-');
  const postgres = kind === 'postgres' ? await postgresDatabase() : null;
  const databaseUrl = postgres?.url ?? `file:${join(dir.path, 'bench.db')}`;
  process.stdout.write(`${kind}: seeding ${options.galleries} galleries of ${PER_GALLERY} images... `);
  const users = await seedGalleries(databaseUrl, options.galleries);
  console.log('done');
  // No page kept in memory: what visibility costs is measured on every request.
  const env = { ...benchServerEnv(databaseUrl, dir.path), PAGE_CACHE_MB: '0' };
  const server = await startProcess(['dist/server.js'], env, '/health');
  try {
    const headersOf = async (username: string) => {
      const login = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: 'bench-password' }),
      });
      return { authorization: `Token ${((await login.json()) as { token: string }).token}` };
    };
    const [member, admin] = [await headersOf(users.member), await headersOf(users.admin)];
    const results: Result[] = [];
    for (const connections of options.connections) {
      for (const [list, path] of [
        ['images', '/api/gallery/images/?limit=50'],
        ['galleries', '/api/gallery/galleries/?limit=50'],
      ]) {
        results.push(
          await measure(
            `${list}: admin (no visibility condition)`,
            `${server.url}${path}`,
            connections,
            options.duration,
            admin,
          ),
        );
        results.push(
          await measure(
            `${list}: member of some private galleries`,
            `${server.url}${path}`,
            connections,
            options.duration,
            member,
          ),
        );
      }
    }
    return results;
  } finally {
    await server.stop();
    await postgres?.drop();
    dir.remove();
  }
}

export async function runSharing(options: SharingOptions) {
  const verdicts: string[] = [];
  for (const kind of options.databases) {
    const label = kind === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    const results = await runOn(kind, options);
    console.log(
      `\n${label}, ${options.galleries} galleries (a third private), page of 50, ${options.duration} s per route\n`,
    );
    const rows = results.map((r, i) => {
      const base = i % 2 === 1 ? results[i - 1].rps : r.rps;
      return [
        r.name,
        String(r.connections),
        r.rps.toFixed(0),
        r.p50.toFixed(1),
        r.p99.toFixed(1),
        (r.rps / base).toFixed(2),
        String(r.errors),
      ];
    });
    printTable(['page of 50', 'conn', 'req/s', 'p50 ms', 'p99 ms', 'ratio', 'errors'], rows, [46, 6, 9, 8, 8, 7, 7]);
    for (let i = 1; i < results.length; i += 2) {
      const ratio = results[i].rps / results[i - 1].rps;
      verdicts.push(
        verdict(
          ratio >= 0.9,
          `${label}, ${results[i].connections} connections, ${results[i].name.split(':')[0]}: the member's page ${ratio.toFixed(2)} of the admin's (target ≥ 0.90)`,
        ),
      );
    }
  }
  console.log(`\n${verdicts.join('\n')}`);
}
