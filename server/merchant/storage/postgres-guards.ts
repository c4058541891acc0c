import pg from 'pg'
import type { KeyLock, Limiter } from './types'
import { classify, type PgDb } from './postgres-client'
import { advisoryKey } from './postgres-migrate'

/**
 * The guards of the PostgreSQL storage, shared by every process on the database:
 * - the per-key lock is a session advisory lock held on a connection of a small lock pool of its
 *   own while fn runs (fn's queries use the main pool, so holding it never starves them); tasks of
 *   one process for one key queue in memory first, so a process holds one connection per key;
 *   if the process dies its connections close and the server frees the locks;
 * - limiters count in the `rate_limits` and `rate_hits` tables: a sliding window, the same rule as
 *   the in-memory limiter of SQLite (the hit `limit` hits back decides), one `rate_take` call per
 *   take with O(1) work however many hits the window holds (migrations.ts); it runs at READ
 *   COMMITTED on a pool of its own (no transaction touches the tables): there a take waits for a
 *   concurrent take of the same key and reads what it left, where SERIALIZABLE would fail it and
 *   run it again (every order of one busy user is a take on one key);
 * - a lease (`lead`) is a session advisory lock tried on a dedicated connection and kept as long
 *   as that connection lives: when the leader dies the server frees it and the next caller takes it.
 */

/** Tasks for one key run one after another in this process, in call order. */
function localQueue(): KeyLock {
  const tails = new Map<string, Promise<unknown>>()
  return function withLocal<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const run = (tails.get(key) ?? Promise.resolve()).then(fn, fn)
    const tail = run.catch(() => undefined)
    tails.set(key, tail)
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key)
    })
    return run
  }
}

/**
 * The cross-process per-key lock over `lockPool` (connections used only to hold advisory locks).
 * The caller gets fn's outcome as soon as fn settles; the unlock's round trip follows it, and the
 * next task of this process for the key waits for that unlock (it queues behind it locally).
 */
export function pgKeyLock(lockPool: pg.Pool): KeyLock {
  const local = localQueue()
  return <T>(key: string, fn: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      void local(key, async () => {
        const lockKey = advisoryKey('lock', key)
        let client: pg.PoolClient
        try {
          client = await lockPool.connect()
        } catch (e) {
          return reject(classify(e))
        }
        try {
          await client.query('SELECT pg_advisory_lock($1::bigint)', [lockKey])
        } catch (e) {
          client.release(e as Error)
          return reject(classify(e))
        }
        let broken: Error | undefined
        try {
          resolve(await fn())
        } catch (e) {
          reject(e)
        } finally {
          // A connection that cannot unlock is destroyed: closing it frees the lock just the same.
          await client.query('SELECT pg_advisory_unlock($1::bigint)', [lockKey]).catch((e: Error) => {
            broken = e
          })
          client.release(broken)
        }
      })
    })
}

/** One hit in, if fewer than $5 of the key's hits are newer than now ($3) − window ($4): migrations.ts RATE_TAKE. */
const TAKE = 'SELECT rate_take($1, $2, $3::bigint, $4::bigint, $5::integer)'
/** Idle keys of a limiter and hits out of its window. */
const PRUNE_KEYS = 'DELETE FROM rate_limits WHERE name = $1 AND last_at <= $2::bigint - $3::bigint'
const PRUNE_HITS = 'DELETE FROM rate_hits WHERE name = $1 AND at <= $2::bigint - $3::bigint'
/** Every this many takes, a limiter deletes its idle keys (the tables stay small). */
const PRUNE_EVERY = 1_000

/** A sliding-window limiter named `name`, counted in the shared tables. */
export function pgLimiter(db: PgDb, name: string, limit: number, windowMs: number, clock: () => number): Limiter {
  let takes = 0
  return {
    async take(key) {
      if (limit <= 0) return false
      const now = clock()
      if (++takes % PRUNE_EVERY === 0) {
        await db.exec(PRUNE_KEYS, [name, now, windowMs])
        await db.exec(PRUNE_HITS, [name, now, windowMs])
      }
      const row = await db.one<{ rateTake: boolean }>(TAKE, [name, key, now, windowMs, limit])
      return row?.rateTake === true
    },
  }
}

interface Lease {
  client?: pg.Client
  leading: boolean
  /** The call in progress (calls for one name are serialised). */
  pending: Promise<boolean>
}

/** Leases (`lead(name)`) on dedicated connections to `config`'s database; `close` ends them. */
export function pgLeases(config: pg.ClientConfig): { lead(name: string): Promise<boolean>; close(): Promise<void> } {
  const leases = new Map<string, Lease>()
  let closed = false
  const drop = (lease: Lease) => {
    const client = lease.client
    lease.client = undefined
    lease.leading = false
    void client?.end().catch(() => undefined)
  }

  async function check(name: string, lease: Lease): Promise<boolean> {
    if (closed) return false
    try {
      if (lease.client && lease.leading) {
        // The session still lives, so it still holds the lock (only its end frees it).
        await lease.client.query('SELECT 1')
        return true
      }
      if (!lease.client) {
        const client = new pg.Client(config)
        client.on('error', () => {
          if (lease.client === client) drop(lease)
        })
        lease.client = client
        await client.connect()
      }
      const { rows } = await lease.client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [advisoryKey('lead', name)])
      lease.leading = rows[0]?.ok === true
      return lease.leading
    } catch {
      // Unreachable database: not leading (the server frees our lock with the broken session).
      drop(lease)
      return false
    }
  }

  return {
    lead(name) {
      let lease = leases.get(name)
      if (!lease) leases.set(name, (lease = { leading: false, pending: Promise.resolve(false) }))
      const l = lease
      l.pending = l.pending.then(() => check(name, l))
      return l.pending
    },
    async close() {
      closed = true
      await Promise.all([...leases.values()].map(async (l) => {
        await l.pending.catch(() => undefined)
        const client = l.client
        l.client = undefined
        l.leading = false
        await client?.end().catch(() => undefined)
      }))
    },
  }
}
