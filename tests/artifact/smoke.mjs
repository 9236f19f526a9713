// The shipped artifact, tried as a new user tries it: a fresh copy of this checkout (the files git
// tracks or would track, as they are in the work tree: nothing built, no node_modules), `npm ci`,
// then `npm start` — exactly that, not the TypeScript sources — and the documentation's sessions run
// block by block against it, each reply checked against the one the documentation shows: the
// README's "A first session", with SIGTERM and a start on the same data (which must not build again)
// before its after-restart blocks, then the sessions of docs/*.md in the order of their file names
// (tests/artifact/doc-sessions.mjs finds them). On SQLite (the defaults) and on PostgreSQL; then
// again as a production install (`npm prune --omit=dev`: no TypeScript, no Prisma CLI) with
// NODE_ENV=production, through `npm start` and through `node dist/server.js`.
//
//   node tests/artifact/smoke.mjs      (npm test runs it after the jest suites)
// PostgreSQL: TEST_DATABASE_URL (a server where databases may be created), else a throwaway
// cluster from initdb/pg_ctl, else skipped with a message (REQUIRE_POSTGRES=1: a failure).
// SMOKE_KEEP=1 keeps the copy (its path is printed).
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

import { findPostgresBinaries, freePort, startCluster } from '../../scripts/pg-cluster.mjs';
import { documentedSessions, outputDifference } from './doc-sessions.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
const requirePostgres = ['1', 'true', 'yes'].includes(String(process.env.REQUIRE_POSTGRES).toLowerCase());
const DOCS_API = 'http://localhost:8000';
const timings = [];

function elapsed(started) {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function step(title) {
  console.log(`\n--- ${title}`);
}

/** The checkout as git would give it to a new user: tracked and untracked-but-not-ignored files. */
function freshCopy() {
  const dir = mkdtempSync(join(tmpdir(), 'gallery-smoke-'));
  const app = join(dir, 'app');
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repo,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const from = join(repo, file);
    if (!existsSync(from) || !statSync(from).isFile()) continue; // deleted in the work tree
    mkdirSync(dirname(join(app, file)), { recursive: true });
    copyFileSync(from, join(app, file));
  }
  return { dir, app, count: files.length };
}

/** Runs a command to completion; its output goes to the console. */
function run(cwd, command, args, env = {}) {
  const started = process.hrtime.bigint();
  execFileSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
  return elapsed(started);
}

async function waitForHealth(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const response = await fetch(`${url}/health`);
      if (response.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** Starts the server with `command` in `cwd`; resolves once /health answers 200, with the time it took. */
async function startServer(cwd, command, env, port) {
  const url = `http://127.0.0.1:${port}`;
  const started = process.hrtime.bigint();
  const child = spawn(command[0], command.slice(1), {
    cwd,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = [];
  child.stdout.on('data', (chunk) => log.push(chunk.toString()));
  child.stderr.on('data', (chunk) => log.push(chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  if (!(await waitForHealth(url, child, 120_000))) {
    child.kill('SIGKILL');
    throw new Error(`${command.join(' ')} did not answer /health.\n${log.join('').slice(-4000)}`);
  }
  const ms = elapsed(started);
  return {
    url,
    ms,
    log: () => log.join(''),
    /** SIGTERM to the process we started (npm itself, for `npm start`): it must end cleanly. */
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const outcome = await exited;
      clearTimeout(timer);
      if (outcome.code !== 0)
        throw new Error(
          `${command.join(' ')} ended with ${outcome.code ?? outcome.signal} on SIGTERM.\n${log.join('').slice(-4000)}`,
        );
      const stillServing = await fetch(`${url}/health`).then(
        () => true,
        () => false,
      );
      if (stillServing)
        throw new Error(`the server still answers after ${command.join(' ')} ended: SIGTERM did not reach it`);
    },
  };
}

/** One bash process that runs the documentation's blocks one at a time, so that variables carry over. */
function bashSession(cwd, env) {
  const bash = spawn('bash', [], { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let waiting = null;
  const MARK = '\n@@block-done@@\n';
  const settle = () => {
    if (!waiting) return;
    const at = stdout.indexOf(MARK);
    if (at >= 0) {
      const out = stdout.slice(0, at);
      stdout = stdout.slice(at + MARK.length);
      const { resolve } = waiting;
      waiting = null;
      resolve(out);
    }
  };
  bash.stdout.on('data', (chunk) => {
    stdout += chunk.toString();
    settle();
  });
  bash.stderr.on('data', (chunk) => (stderr += chunk.toString()));
  bash.once('exit', (code) => {
    if (waiting) waiting.reject(new Error(`bash ended (${code}) in the block.\nstdout: ${stdout}\nstderr: ${stderr}`));
  });
  bash.stdin.write('set -euo pipefail\n');
  return {
    /** Runs one block (its commands read nothing from this session's input); resolves with what it printed. */
    run(code) {
      stderr = '';
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the block did not finish within 60 s. stderr: ${stderr}`)),
          60_000,
        );
        waiting = {
          resolve: (out) => (clearTimeout(timer), resolve(out)),
          reject: (error) => (clearTimeout(timer), reject(error)),
        };
        bash.stdin.write(`{\n${code}\n} </dev/null\nprintf '${MARK.replaceAll('\n', '\\n')}'\n`);
      });
    },
    end() {
      bash.stdin.end();
    },
  };
}

/**
 * The documentation's sessions against a server started with `command`: the blocks before the
 * restart, a stop with SIGTERM, a second start on the same data, the blocks after it.
 */
async function docSessions(label, cwd, command, env) {
  step(`${label}: start`);
  const blocks = documentedSessions(cwd);
  if (!blocks.some((block) => block.file === 'README.md')) throw new Error('README.md has no session blocks');
  // The same port after the restart, as a user's would be: the session's $API stays right.
  const port = await freePort();
  let server = await startServer(cwd, command, env, port);
  timings.push([`${label}: first start to /health`, server.ms]);
  console.log(`listening after ${Math.round(server.ms)} ms`);
  const bash = bashSession(cwd, env);
  try {
    let restarted = false;
    for (const [index, block] of blocks.entries()) {
      if (block.afterRestart && !restarted) {
        step(`${label}: SIGTERM, then start again on the same data`);
        await server.stop();
        server = await startServer(cwd, command, env, port);
        timings.push([`${label}: second start to /health`, server.ms]);
        console.log(`listening after ${Math.round(server.ms)} ms`);
        if (/building the server/.test(server.log()))
          throw new Error('the second start built again although nothing changed');
        restarted = true;
      }
      const out = await bash.run(block.code.replaceAll(DOCS_API, server.url));
      const difference =
        block.expected === null ? null : outputDifference(block.expected.replaceAll(DOCS_API, server.url), out);
      if (difference) {
        throw new Error(
          `block ${index + 1} (${block.file} line ${block.line}) printed what ${block.file} does not show: ${difference}\n--- printed:\n${out}\n--- server log:\n${server.log().slice(-3000)}`,
        );
      }
      console.log(`block ${index + 1} (${block.file} line ${block.line}): as shown`);
    }
  } finally {
    bash.end();
    await server.stop();
  }
}

async function postgresBase() {
  if (process.env.TEST_DATABASE_URL) return { url: process.env.TEST_DATABASE_URL, stop: () => undefined };
  if (findPostgresBinaries()) return startCluster();
  return null;
}

async function createDatabase(baseUrl, name) {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh SQLite database and upload folder at the default places. */
function clearDefaultData(app) {
  rmSync(join(app, 'data'), { recursive: true, force: true });
  for (const entry of ['images', 'tmp']) rmSync(join(app, 'uploads', entry), { recursive: true, force: true });
  rmSync(join(app, 'thumb.webp'), { force: true });
}

async function main() {
  const copy = freshCopy();
  console.log(`fresh copy of ${copy.count} files in ${copy.app}`);
  const cluster = await postgresBase();
  if (!cluster) {
    const why = 'TEST_DATABASE_URL is not set and initdb/pg_ctl are not on PATH: the PostgreSQL runs are skipped.';
    if (requirePostgres) throw new Error(why);
    console.log(why);
  }
  try {
    // A photo to upload: any JPEG does.
    const sharp = createRequire(join(repo, 'package.json'))('sharp');
    await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 120, b: 40 } } })
      .jpeg()
      .toFile(join(copy.app, 'photo.jpg'));

    step('npm ci');
    timings.push(['npm ci', run(copy.app, 'npm', ['ci', '--no-audit', '--no-fund'])]);
    if (existsSync(join(copy.app, 'dist')))
      throw new Error('npm ci built dist/: the first start would not show the build');

    const quiet = { LOG_LEVEL: 'warn' };
    await docSessions('SQLite, npm start (the quickstart)', copy.app, ['npm', 'start'], quiet);
    if (cluster) {
      const url = await createDatabase(cluster.url, 'smoke_checkout');
      await docSessions('PostgreSQL, npm start', copy.app, ['npm', 'start'], { ...quiet, DATABASE_URL: url });
    }

    step('production install: npm prune --omit=dev');
    timings.push(['npm prune --omit=dev', run(copy.app, 'npm', ['prune', '--omit=dev', '--no-audit', '--no-fund'])]);
    // (typescript and prisma stay: npm keeps them as optional peers of @prisma/client.)
    for (const devOnly of ['jest', 'tsx', 'ts-jest', '@types/multer', 'supertest']) {
      if (existsSync(join(copy.app, 'node_modules', devOnly)))
        throw new Error(`node_modules/${devOnly} is still there after the prune`);
    }
    const production = { ...quiet, NODE_ENV: 'production' };
    clearDefaultData(copy.app);
    await docSessions('SQLite, production install, npm start', copy.app, ['npm', 'start'], production);
    if (cluster) {
      const url = await createDatabase(cluster.url, 'smoke_production');
      await docSessions(
        'PostgreSQL, production install, node dist/server.js',
        copy.app,
        [process.execPath, 'dist/server.js'],
        {
          ...production,
          DATABASE_URL: url,
        },
      );
    }
  } finally {
    cluster?.stop();
    if (process.env.SMOKE_KEEP === '1') console.log(`kept: ${copy.dir}`);
    else rmSync(copy.dir, { recursive: true, force: true });
  }
  console.log('\n=== artifact smoke test: passed ===');
  for (const [what, ms] of timings) console.log(`${what.padEnd(70)} ${(ms / 1000).toFixed(2)} s`);
}

main().catch((error) => {
  console.error(`\n=== artifact smoke test: FAILED ===\n${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
