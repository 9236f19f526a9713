// The command-line client against a server, for the ingest section: dist/server.js on a fresh
// database with one Beta Player, and `gallery import` run as its own process.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

import { seed, startProcess } from './reads';
import { tempDir } from './util';

const REPO = resolve(__dirname, '..', '..');
/** The client's own config folder (where it notes unfinished uploads), not the user's. */
let configHome: string | null = null;

/** dist/server.js on a fresh `databaseUrl` and `uploadDir`, and a token of its one Beta Player. */
export async function importServer(databaseUrl: string, uploadDir: string) {
  const { username } = await seed(databaseUrl, 0);
  const server = await startProcess(
    ['dist/server.js'],
    {
      DATABASE_URL: databaseUrl,
      UPLOAD_DIR: uploadDir,
      LOG_LEVEL: 'warn',
      STORAGE_QUOTA_MB: '100000',
      RATE_LIMIT_PER_MINUTE: '100000',
      RECONCILE_ON_START: 'off',
    },
    '/health',
  );
  const login = (await (
    await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password: 'bench-password' }),
    })
  ).json()) as { token: string };
  return { server, token: login.token };
}

/** `gallery import DIR --gallery 1` (and `extra` options) against `server`, as its own process. */
export function spawnImport(server: { url: string }, token: string, dir: string, extra: string[]) {
  const args = ['dist/cli/gallery/main.js', 'import', dir, '--gallery', '1', ...extra];
  return spawn(process.execPath, [...args, '--json'], {
    cwd: REPO,
    env: {
      ...process.env,
      XDG_CONFIG_HOME: (configHome ??= tempDir('gallery-bench-config-').path),
      GALLERY_SERVER: server.url,
      GALLERY_TOKEN: token,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}
