import type { RequestHandler } from 'express';

import type { Actor } from '../shared/actor';
import { addressGroup } from '../shared/address-group';
import { AppError } from '../shared/errors';

export type RateLimitHit = { count: number; resetAt: number };

/**
 * Counts requests per key in fixed windows: in memory (`memoryRateLimitStore`), or in the database
 * shared by several server processes (platform/db's `databaseRateLimitStore`, RATE_LIMIT_STORE=database).
 */
export interface RateLimitStore {
  hit(key: string, windowMs: number, now: number): RateLimitHit | Promise<RateLimitHit>;
}

/**
 * In this process's memory: fast, but each server process counts on its own (run one, or use
 * RATE_LIMIT_STORE=database, or put the limit in the proxy in front of several). Old windows are
 * dropped as they pass.
 */
export function memoryRateLimitStore(): RateLimitStore {
  const windows = new Map<string, { count: number; resetAt: number }>();
  let nextSweep = 0;
  return {
    hit(key, windowMs, now) {
      if (now >= nextSweep) {
        for (const [k, w] of windows) if (w.resetAt <= now) windows.delete(k);
        nextSweep = now + windowMs;
      }
      let window = windows.get(key);
      if (!window || window.resetAt <= now) {
        window = { count: 0, resetAt: now + windowMs };
        windows.set(key, window);
      }
      window.count += 1;
      return { ...window };
    },
  };
}

/** Requests per window: per token (or per address when anonymous), and per user across all their tokens. */
export type RateLimits = { perKey: number; perUser: number };

type Count = { key: string; limit: number; whose: string };

/**
 * Limits requests per token and per user (signed in: both count every request, so a user who
 * mints more tokens gets no more requests) or per client address (anonymous), with the
 * `RateLimit-Limit/Remaining/Reset` headers of the count nearest its limit on every reply, and 429
 * + `Retry-After` past either limit. Runs after authentication, so a token's requests count
 * against the token wherever they come from.
 */
export function rateLimit(store: RateLimitStore, limits: RateLimits, windowMs: number): RequestHandler {
  return async (req, res, next) => {
    const actor = res.locals.actor as Actor | undefined;
    const counts: Count[] = actor
      ? [
          { key: `token:${actor.tokenId}`, limit: limits.perKey, whose: 'for this token' },
          { key: `user:${actor.id}`, limit: limits.perUser, whose: 'for this user, all tokens together' },
        ]
      : [{ key: `ip:${addressGroup(req.ip)}`, limit: limits.perKey, whose: 'for this address' }];
    const now = Date.now();
    const hits = await Promise.all(counts.map(async ({ key }) => store.hit(key, windowMs, now)));
    const [tightest] = counts
      .map((count, i) => ({ ...count, ...hits[i], remaining: count.limit - hits[i].count }))
      .sort((a, b) => a.remaining - b.remaining);
    const reset = Math.max(0, Math.ceil((tightest.resetAt - now) / 1000));
    res.set({
      'RateLimit-Limit': String(tightest.limit),
      'RateLimit-Remaining': String(Math.max(0, tightest.remaining)),
      'RateLimit-Reset': String(reset),
    });
    if (tightest.remaining < 0) {
      throw new AppError(
        'TOO_MANY_REQUESTS',
        `Rate limit of ${tightest.limit} requests a minute ${tightest.whose} reached. Try again in ${reset} seconds.`,
        {
          headers: { 'Retry-After': String(reset) },
        },
      );
    }
    next();
  };
}
