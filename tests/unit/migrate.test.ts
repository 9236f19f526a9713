import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';

import { deployMigrations, loadMigrations, migrationStatus } from '../../src/platform/db/migrate';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gallery-migrate-test-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the migration runner', () => {
  it('applies every migration once, recording them as prisma migrate deploy does', async () => {
    const url = `file:${join(dir, 'nested', 'new.db')}`;
    const names = loadMigrations(url).map((migration) => migration.name);
    expect(names.length).toBeGreaterThan(0);
    expect(await migrationStatus(url)).toEqual({ applied: [], pending: names });

    expect((await deployMigrations(url)).applied).toEqual(names);
    expect((await deployMigrations(url)).applied).toEqual([]);
    expect(await migrationStatus(url)).toEqual({ applied: names, pending: [] });

    const db = new Sqlite(join(dir, 'nested', 'new.db'));
    const rows = db
      .prepare('SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations')
      .all() as {
      checksum: string;
      finished_at: number;
      applied_steps_count: number;
    }[];
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((row) => (row as { name: string }).name);
    db.close();
    expect(rows).toHaveLength(names.length);
    expect(rows[0].checksum).toMatch(/^[a-f0-9]{64}$/);
    expect(rows[0].finished_at).not.toBeNull();
    expect(tables).toEqual(expect.arrayContaining(['User', 'Role', 'Token', 'Gallery', 'Image']));
  });

  it('refuses to go on when an applied migration was edited afterwards', async () => {
    const url = `file:${join(dir, 'edited.db')}`;
    await deployMigrations(url);
    const db = new Sqlite(join(dir, 'edited.db'));
    db.prepare("UPDATE _prisma_migrations SET checksum = 'x'").run();
    db.close();
    await expect(deployMigrations(url)).rejects.toThrow(/changed after it was applied/);
  });

  it('refuses to go on over a migration that failed earlier', async () => {
    const url = `file:${join(dir, 'failed.db')}`;
    await deployMigrations(url);
    const db = new Sqlite(join(dir, 'failed.db'));
    db.prepare('UPDATE _prisma_migrations SET finished_at = NULL').run();
    db.close();
    await expect(deployMigrations(url)).rejects.toThrow(/failed earlier/);
  });
});

describe('upgrading a database that holds data', () => {
  it('keeps every row through the table rebuilds of later migrations, and makes the indexes the schema cannot express', async () => {
    const file = join(dir, 'upgrade.db');
    const url = `file:${file}`;
    const [first, ...later] = loadMigrations(url);
    expect(later.length).toBeGreaterThan(0);
    await deployMigrations(url, [first]);
    const db = new Sqlite(file);
    db.exec(`
      INSERT INTO "Role" (name, label) VALUES ('beta_player', 'Beta Player');
      INSERT INTO "User" (username, "usernameLower", email, "emailLower", "passwordHash", "roleId") VALUES ('Ann', 'ann', 'a@x', 'a@x', 'h', 1);
      INSERT INTO "Gallery" (name, description, "ownerId", "updatedAt") VALUES ('Summer Trip', 'Beach', 1, '2026-01-01T00:00:00.000+00:00');
      INSERT INTO "Image" ("galleryId", "uploaderId", title, description, "storageKey", "mimeType", size, sha256, "updatedAt")
        VALUES (1, 1, 'Sunset AT Sea', 'Red sky', 'k', 'image/png', 1, 'a', '2026-01-01T00:00:00.000+00:00');
    `);
    db.close();

    await deployMigrations(url);

    const after = new Sqlite(file);
    const image = after.prepare('SELECT * FROM "Image"').get() as Record<string, unknown>;
    const gallery = after.prepare('SELECT * FROM "Gallery"').get() as Record<string, unknown>;
    const plan = (sql: string, ...params: unknown[]) =>
      JSON.stringify(after.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params));
    const imagePlan = plan(
      'SELECT id FROM "Image" WHERE (lower(title), id) > (?, ?) ORDER BY lower(title), id LIMIT 5',
      'a',
      1,
    );
    const galleryPlan = plan('SELECT id FROM "Gallery" ORDER BY lower(name) DESC, id DESC LIMIT 5');
    after.close();
    expect(image).toMatchObject({ title: 'Sunset AT Sea', description: 'Red sky' });
    expect(gallery).toMatchObject({ name: 'Summer Trip', description: 'Beach' });
    expect(imagePlan).toContain('Image_lower_title_id_idx');
    expect(imagePlan).not.toContain('TEMP B-TREE');
    expect(galleryPlan).toContain('Gallery_lower_name_id_idx');
    expect(galleryPlan).not.toContain('TEMP B-TREE');
  });

  it('resolves duplicate images (same bytes, same gallery) before the unique index: oldest kept, the others noted in the audit log', async () => {
    const file = join(dir, 'duplicates.db');
    const url = `file:${file}`;
    const migrations = loadMigrations(url);
    const pipeline = migrations.findIndex((m) => m.name.endsWith('_image_pipeline'));
    expect(pipeline).toBeGreaterThan(0);
    await deployMigrations(url, migrations.slice(0, pipeline));
    const db = new Sqlite(file);
    db.exec(`
      INSERT INTO "Role" (name, label) VALUES ('beta_player', 'Beta Player');
      INSERT INTO "User" (username, "usernameLower", email, "emailLower", "passwordHash", "roleId") VALUES ('Ann', 'ann', 'a@x', 'a@x', 'h', 1);
      INSERT INTO "Gallery" (name, description, "ownerId", "updatedAt") VALUES ('One', '', 1, '2026-01-01T00:00:00.000+00:00');
      INSERT INTO "Gallery" (name, description, "ownerId", "updatedAt") VALUES ('Two', '', 1, '2026-01-01T00:00:00.000+00:00');
      INSERT INTO "Image" ("galleryId", "uploaderId", title, "storageKey", "mimeType", size, sha256, "updatedAt") VALUES
        (1, 1, 'first',  'k1', 'image/png', 1, 'same', '2026-01-01T00:00:00.000+00:00'),
        (1, 1, 'second', 'k2', 'image/png', 1, 'same', '2026-01-01T00:00:00.000+00:00'),
        (1, 1, 'third',  'k3', 'image/png', 1, 'same', '2026-01-01T00:00:00.000+00:00'),
        (1, 1, 'other',  'k4', 'image/png', 1, 'different', '2026-01-01T00:00:00.000+00:00'),
        (2, 1, 'copy in another gallery', 'k5', 'image/png', 1, 'same', '2026-01-01T00:00:00.000+00:00');
    `);
    db.close();

    await deployMigrations(url);

    const after = new Sqlite(file);
    const titles = (after.prepare('SELECT title FROM "Image" ORDER BY id').all() as { title: string }[]).map(
      (row) => row.title,
    );
    const events = after.prepare('SELECT action, "targetId", detail FROM "AuditEvent" ORDER BY "targetId"').all();
    expect(() =>
      after.exec(
        `INSERT INTO "Image" ("galleryId", "uploaderId", title, "storageKey", "mimeType", size, sha256, "updatedAt") VALUES (1, 1, 'x', 'k6', 'image/png', 1, 'same', '2026-01-01')`,
      ),
    ).toThrow(/UNIQUE/);
    after.close();
    expect(titles).toEqual(['first', 'other', 'copy in another gallery']);
    expect(events).toEqual([
      {
        action: 'image.deduplicate',
        targetId: 2,
        detail: 'duplicate of image 1 in gallery 1; title: second; file: k2',
      },
      { action: 'image.deduplicate', targetId: 3, detail: 'duplicate of image 1 in gallery 1; title: third; file: k3' },
    ]);
  });
});
