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

/**
 * The accepted hits of one key within the window: a ring of at most `limit` times. Full, its oldest
 * slot is the hit `limit` hits ago, the only one that decides whether another fits the window.
 */
interface Ring {
  times: number[]
  /** The oldest slot once the ring is full (the next to be overwritten). */
  head: number
  newest: number
}

/**
 * A per-key sliding-window limiter in memory: `limit` hits per `windowMs`, counted with `clock`.
 * O(1) per hit: a key keeps a ring of its last `limit` accepted hits, and a hit fits when the one
 * `limit` hits back is out of the window (the same answers as counting the window's hits).
 */
export function createMemoryLimiter(limit: number, windowMs: number, clock: () => number): Limiter {
  const rings = new Map<string, Ring>()
  let pruneAbove = PRUNE_ABOVE_KEYS
  const prune = (now: number) => {
    for (const [key, ring] of rings) if (!(now - ring.newest < windowMs)) rings.delete(key)
    // Amortised: with every key still live, the next sweep waits until the map has doubled.
    pruneAbove = Math.max(PRUNE_ABOVE_KEYS, rings.size * 2)
  }
  return {
    take(key) {
      const now = clock()
      let ring = rings.get(key)
      if (!ring) {
        if (limit <= 0) return Promise.resolve(false)
        rings.set(key, (ring = { times: [], head: 0, newest: now }))
        if (rings.size > pruneAbove) prune(now)
      }
      const { times } = ring
      if (times.length < limit) {
        times.push(now)
      } else {
        if (limit <= 0 || now - times[ring.head] < windowMs) return Promise.resolve(false)
        times[ring.head] = now
        ring.head = (ring.head + 1) % limit
      }
      ring.newest = now
      return Promise.resolve(true)
    },
  }
}
