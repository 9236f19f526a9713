import { login, prepareWorld, send, startServer, stopAllServers, type ServerProcess } from '../helpers/server-process';
import { testDbKind } from '../helpers/test-env';

// Two server processes on one PostgreSQL. Each keeps the tokens it has checked; a change made
// through the other process, or straight in the database (as Prisma Studio would), must reach it
// within the same second.
jest.setTimeout(60_000);

type World = Awaited<ReturnType<typeof prepareWorld>>;
let world: World;

const onPostgres = testDbKind() === 'postgres' ? describe : describe.skip;

beforeEach(async () => {
  world = await prepareWorld();
});
afterEach(async () => {
  await stopAllServers();
  await world.close();
});

const me = (server: ServerProcess, auth: Record<string, string>) =>
  send(server.url, { path: '/api/auth/me/', headers: auth });

/** Polls until `check` holds; the time it took, or a failure after `withinMs`. */
async function within(withinMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > withinMs) throw new Error(`not within ${withinMs} ms`);
    await new Promise((done) => setTimeout(done, 10));
  }
}

async function twoNodes() {
  const [a, b] = await Promise.all([
    startServer({ ...world.env, UPLOAD_DIR: `${world.uploadDir}-a` }),
    startServer({ ...world.env, UPLOAD_DIR: `${world.uploadDir}-b` }),
  ]);
  const auth = await login(a.url, world.credentials);
  // B checks the token (and keeps it) before anything changes.
  for (let i = 0; i < 3; i++) expect((await me(b, auth)).status).toBe(200);
  return { a, b, auth };
}

onPostgres('tokens kept by one node', () => {
  it('are refused there within the same second once revoked through the other node', async () => {
    const { a, b, auth } = await twoNodes();
    expect((await send(a.url, { method: 'POST', path: '/api/auth/logout/', headers: auth })).status).toBe(200);
    const ms = await within(1000, async () => (await me(b, auth)).status === 401);
    expect(ms).toBeLessThan(1000);
  });

  it('follow a change made straight in the database: a user deactivated, a role changed', async () => {
    const { b, auth } = await twoNodes();
    const user = await world.db.user.findFirstOrThrow({ where: { username: world.credentials.username } });
    const subscriber = await world.db.role.findUniqueOrThrow({ where: { name: 'subscriber' } });
    await world.db.$executeRawUnsafe(`UPDATE "User" SET "roleId" = ${subscriber.id} WHERE id = ${user.id}`);
    await within(1000, async () => (await me(b, auth)).json().role === 'subscriber');
    await world.db.$executeRawUnsafe(`UPDATE "User" SET "isActive" = false WHERE id = ${user.id}`);
    await within(1000, async () => (await me(b, auth)).status === 401);
  });
});
