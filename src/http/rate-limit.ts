import type { RequestHandler } from 'express';
import type { Actor } from '../shared/actor';
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

/**
 * Limits requests per token (signed in) or per client address (anonymous), with the
 * `RateLimit-Limit/Remaining/Reset` headers on every reply and 429 + `Retry-After` past the limit.
 * Runs after authentication, so a token's requests count against the token wherever they come from.
 */
export function rateLimit(store: RateLimitStore, limit: number, windowMs: number): RequestHandler {
  return async (req, res, next) => {
    const actor = res.locals.actor as Actor | undefined;
    const key = actor ? `token:${actor.tokenId}` : `ip:${req.ip}`;
    const now = Date.now();
    const { count, resetAt } = await store.hit(key, windowMs, now);
    const reset = Math.max(0, Math.ceil((resetAt - now) / 1000));
    res.set({ 'RateLimit-Limit': String(limit), 'RateLimit-Remaining': String(Math.max(0, limit - count)), 'RateLimit-Reset': String(reset) });
    if (count > limit) {
      throw new AppError('TOO_MANY_REQUESTS', `Rate limit of ${limit} requests reached. Try again in ${reset} seconds.`, {
        headers: { 'Retry-After': String(reset) },
      });
    }
    next();
  };
}
