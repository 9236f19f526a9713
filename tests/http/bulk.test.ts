import request from 'supertest';

import { createCast, createImage, createUser, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * POST /api/gallery/images/bulk: one action on many images, each answered exactly as a single
 * request about it would be. Every case is built twice, the same way: one copy goes through the
 * bulk request, the other through single requests, and their per-item outcomes must match.
 */
let t: TestApp;
let cast: Awaited<ReturnType<typeof createCast>>;
let actor: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  cast = await createCast(t);
  actor = await createUser(t, 'beta_player');
});
afterAll(async () => {
  await t.close();
});

const api = () => request(t.app);
async function gallery(owner: TestUser, visibility = 'shared') {
  return (await api().post('/api/gallery/galleries/').set(owner.auth).send({ name: 'g', visibility }).expect(201)).body
    .id as number;
}

/**
 * The actor's own image, one in the actor's trash, one in another's private gallery (hidden), one
 * in another's shared gallery (visible, not theirs to change), and a missing id; and a destination.
 */
async function fixture() {
  const [mine, othersPrivate, othersShared, destination] = [
    await gallery(actor),
    await gallery(cast.otherPlayer, 'private'),
    await gallery(cast.otherPlayer),
    await gallery(actor),
  ];
  const own = await createImage(t, actor, mine);
  const trashed = await createImage(t, actor, mine);
  await api().delete(`/api/gallery/images/${trashed.id}`).set(actor.auth).expect(200);
  const hidden = await createImage(t, cast.otherPlayer, othersPrivate);
  const notMine = await createImage(t, cast.otherPlayer, othersShared);
  return { ids: [own.id, trashed.id, hidden.id, notMine.id, 999_999], destination };
}

type Outcome = { status: number; code?: string; message?: string };

function single(action: string, id: number, destination: number): Promise<request.Response> {
  switch (action) {
    case 'move':
      return api().patch(`/api/gallery/images/${id}`).set(actor.auth).send({ gallery: destination });
    case 'update':
      return api().patch(`/api/gallery/images/${id}`).set(actor.auth).send({ title: 'renamed' });
    case 'trash':
      return api().delete(`/api/gallery/images/${id}`).set(actor.auth);
    default:
      return api()
        .post('/api/gallery/trash/restore')
        .set(actor.auth)
        .send({ images: [id] });
  }
}

/** A single request's outcome; a restore's is its one result. */
function outcomeOf(action: string, res: request.Response): Outcome {
  const body = action === 'restore' ? res.body.results[0] : res.body;
  const status = action === 'restore' ? body.status : res.status;
  const error = action === 'restore' ? body.error : status >= 400 ? body : undefined;
  return { status, ...(error ? { code: error.code, message: error.message } : {}) };
}

describe('a bulk action on mixed ids', () => {
  it.each(['move', 'update', 'trash', 'restore'])('%s: each id gets what a single request gets', async (action) => {
    const [forBulk, forSingles] = [await fixture(), await fixture()];
    const body = {
      action,
      ids: forBulk.ids,
      ...(action === 'move' ? { gallery: forBulk.destination } : {}),
      ...(action === 'update' ? { fields: { title: 'renamed' } } : {}),
    };
    const bulk = await api().post('/api/gallery/images/bulk').set(actor.auth).send(body).expect(207);
    const bulkOutcomes = bulk.body.results.map((r: { status: number; error?: Outcome }) => ({
      status: r.status,
      ...(r.error ? { code: r.error.code, message: r.error.message } : {}),
    }));
    const singles: Outcome[] = [];
    for (const id of forSingles.ids) singles.push(outcomeOf(action, await single(action, id, forSingles.destination)));
    // Ids differ between the copies; messages naming them are compared with the ids swapped.
    const swapped = singles.map((o) => ({
      ...o,
      ...(o.message
        ? { message: forSingles.ids.reduce((m, id, n) => m.replaceAll(String(id), String(forBulk.ids[n])), o.message) }
        : {}),
    }));
    expect(bulkOutcomes).toEqual(swapped);
    expect(bulk.body.results.map((r: { id: number }) => r.id)).toEqual(forBulk.ids);
    expect(bulkOutcomes[action === 'restore' ? 1 : 0].status).toBe(200);
    if (action === 'move') {
      expect(bulk.body.results[0].image).toMatchObject({ gallery: forBulk.destination });
      expect(await t.db.image.findUniqueOrThrow({ where: { id: forBulk.ids[0] } })).toMatchObject({
        galleryId: forBulk.destination,
      });
    }
    if (action === 'trash') expect(bulk.body.results[0].purgeAt).toEqual(expect.any(String));
    // Others' images are untouched.
    for (const id of forBulk.ids.slice(2, 4))
      expect(await t.db.image.findUniqueOrThrow({ where: { id } })).toMatchObject({
        trashed: false,
        title: expect.any(String),
      });
  });

  it('records one audit event per image changed', async () => {
    const { ids } = await fixture();
    await api().post('/api/gallery/images/bulk').set(actor.auth).send({ action: 'trash', ids }).expect(207);
    const events = await t.db.auditEvent.findMany({ where: { action: 'image.trash', targetId: { in: ids } } });
    // The fixture's own trashing of ids[1], and the bulk one of ids[0]: the refused ones log nothing.
    expect(events.map((e) => e.targetId).sort()).toEqual([ids[0], ids[1]].sort());
  });
});

describe('a bulk request', () => {
  it('answers 200 when every image succeeded', async () => {
    const mine = await gallery(actor);
    const images = [await createImage(t, actor, mine), await createImage(t, actor, mine)];
    const ids = images.map((i) => i.id);
    const res = await api()
      .post('/api/gallery/images/bulk')
      .set(actor.auth)
      .send({ action: 'update', ids, fields: { description: 'from a trip' } })
      .expect(200);
    expect(res.body.results.map((r: { image: { description: string } }) => r.image.description)).toEqual([
      'from a trip',
      'from a trip',
    ]);
  });

  it.each([
    ['no ids', { action: 'trash', ids: [] }],
    ['501 ids', { action: 'trash', ids: Array.from({ length: 501 }, (_, n) => n + 1) }],
    ['an id twice', { action: 'trash', ids: [1, 1] }],
    ['a move without a gallery', { action: 'move', ids: [1] }],
    ['an update without fields', { action: 'update', ids: [1], fields: {} }],
    ['an unknown action', { action: 'delete', ids: [1] }],
    ['a field that is not allowed', { action: 'update', ids: [1], fields: { gallery: 2 } }],
  ])('refuses %s with 400', async (_name, body) => {
    const res = await api().post('/api/gallery/images/bulk').set(actor.auth).send(body).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });

  it('is refused to view-only roles', async () => {
    await api()
      .post('/api/gallery/images/bulk')
      .set(cast.subscriber.auth)
      .send({ action: 'trash', ids: [1] })
      .expect(403);
  });

  it('trashes each image once when 100 bulk moves and trashes of the same images race', async () => {
    const from = await gallery(actor);
    const to = await gallery(actor);
    const ids: number[] = [];
    for (let n = 0; n < 5; n++) ids.push((await createImage(t, actor, from)).id);
    const races = await Promise.all(
      Array.from({ length: 100 }, (_, n) =>
        api()
          .post('/api/gallery/images/bulk')
          .set(actor.auth)
          .send({ action: n % 2 ? 'trash' : 'move', ids, gallery: n % 2 ? undefined : to }),
      ),
    );
    expect(races.every((r) => r.status === 200 || r.status === 207)).toBe(true);
    const trashedOnce = await t.db.auditEvent.groupBy({
      by: ['targetId'],
      where: { action: 'image.trash', targetId: { in: ids } },
      _count: true,
    });
    expect(trashedOnce.every((g) => g._count === 1)).toBe(true);
    expect(await t.db.image.count({ where: { id: { in: ids }, trashed: true } })).toBe(5);
  });
});
