import { createHash } from 'node:crypto';
import bcrypt from 'bcrypt';
import { prepareAppDatabase } from '../src/app/database';
(async () => {
  const url = process.argv[2]; const n = Number(process.argv[3] ?? 10000);
  const { db, close } = await prepareAppDatabase(url);
  const role = await db.role.findUniqueOrThrow({ where: { name: 'beta_player' } });
  const user = await db.user.create({ data: { username: 'bench', usernameLower: 'bench', email: 'b@x', emailLower: 'b@x', passwordHash: await bcrypt.hash('bench-password', 4), roleId: role.id } });
  const gallery = await db.gallery.create({ data: { name: 'Bench gallery', ownerId: user.id } });
  for (let start = 0; start < n; start += 1000) {
    await db.image.createMany({ data: Array.from({ length: Math.min(1000, n - start) }, (_, i) => ({ galleryId: gallery.id, uploaderId: user.id, title: `Image ${start + i}`, description: 'A benchmark image with a short description.', storageKey: `${(start + i).toString(16).padStart(32, '0')}.png`, mimeType: 'image/png', size: 123456, sha256: createHash('sha256').update(`b${start + i}`).digest('hex'), width: 1920, height: 1080 })) });
  }
  await close(); process.exit(0);
})();
