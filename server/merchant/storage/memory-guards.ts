import type { KeyLock, Limiter } from './types'

/**
 * The guards of a storage one process owns (SQLite): a per-key lock and sliding-window limiters,
 * both in this process's memory. They hold only while a single backend process uses the data.
 */

/** An in-process lock per key: tasks for one key run one after another, in call order. */
export function createKeyLock(): KeyLock {
  const tails = new Map<string, Promise<unknown>>()
  return function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = tails.get(key) ?? Promise.resolve()
    const run = prev.then(fn, fn)
    const tail = run.catch(() => undefined)
    tails.set(key, tail)
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key)
    })
    return run
  }
}

/** Above this many tracked keys, keys without a recent hit are dropped (memory stays bounded). */
const PRUNE_ABOVE_KEYS = 10_000

/** A per-key sliding-window limiter in memory: `limit` hits per `windowMs`, counted with `clock`. */
export function createMemoryLimiter(limit: number, windowMs: number, clock: () => number): Limiter {
  const hits = new Map<string, number[]>()
  const prune = (now: number) => {
    for (const [key, times] of hits) if (!times.some((t) => now - t < windowMs)) hits.delete(key)
  }
  return {
    take(key) {
      const now = clock()
      const recent = (hits.get(key) ?? []).filter((t) => now - t < windowMs)
      if (recent.length >= limit) {
        hits.set(key, recent)
        return Promise.resolve(false)
      }
      recent.push(now)
      hits.set(key, recent)
      if (hits.size > PRUNE_ABOVE_KEYS) prune(now)
      return Promise.resolve(true)
    },
  }
}
