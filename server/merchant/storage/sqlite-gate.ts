import { AsyncLocalStorage } from 'node:async_hooks'
import type Database from 'better-sqlite3'

/**
 * The asynchronous face of one synchronous better-sqlite3 connection. A transaction stays open
 * across the awaits of its body, so a call from elsewhere must not slip into it: calls made inside
 * the body (found through AsyncLocalStorage) run at once; calls from outside wait until the open
 * transaction ends; transactions run one at a time (BEGIN IMMEDIATE … COMMIT, ROLLBACK on a throw).
 */
export interface SqliteGate {
  /** Runs a synchronous statement function, after any transaction it is not part of. */
  run<T>(fn: () => T): Promise<T>
  /** Runs fn in one transaction; nested calls join the outer one. */
  transaction<T>(fn: () => Promise<T>): Promise<T>
}

/** A gate over `db` (one per connection). */
export function sqliteGate(db: Database.Database): SqliteGate {
  const inside = new AsyncLocalStorage<true>()
  /** Settles when the open transaction (if any) has ended; transactions queue on it. */
  let tail: Promise<unknown> = Promise.resolve()
  let open = false

  const run = <T>(fn: () => T): Promise<T> => {
    if (!open || inside.getStore()) {
      try {
        return Promise.resolve(fn())
      } catch (e) {
        return Promise.reject(e)
      }
    }
    return tail.then(() => run(fn))
  }

  const transaction = <T>(fn: () => Promise<T>): Promise<T> => {
    if (inside.getStore()) return fn()
    const result = tail.then(() =>
      inside.run(true, async () => {
        open = true
        db.exec('BEGIN IMMEDIATE')
        try {
          const value = await fn()
          db.exec('COMMIT')
          return value
        } catch (e) {
          if (db.inTransaction) db.exec('ROLLBACK')
          throw e
        } finally {
          open = false
        }
      }),
    )
    tail = result.catch(() => undefined)
    return result
  }

  return { run, transaction }
}
