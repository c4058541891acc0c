import { AsyncLocalStorage } from 'node:async_hooks'
import type Database from 'better-sqlite3'
import { NESTED_DURABLE_MESSAGE, type TransactionOptions } from './types'

/**
 * The asynchronous face of one synchronous better-sqlite3 connection. A transaction stays open
 * across the awaits of its body, so a call from elsewhere must not slip into it: calls made inside
 * the body (found through AsyncLocalStorage) run at once; calls from outside wait until the open
 * transaction ends; transactions run one at a time (BEGIN IMMEDIATE … COMMIT, ROLLBACK on a throw).
 * A non-durable transaction runs under synchronous=NORMAL (SQLite refuses to change it inside a
 * transaction, so it is set before BEGIN) and the connection's own level is restored after it,
 * still inside the gate: no other statement ever runs under the relaxed level.
 */
export interface SqliteGate {
  /** Runs a synchronous statement function, after any transaction it is not part of. */
  run<T>(fn: () => T): Promise<T>
  /** Runs fn in one transaction; nested calls join the outer one. */
  transaction<T>(fn: () => Promise<T>, options?: TransactionOptions): Promise<T>
}

/** A gate over `db` (one per connection). */
export function sqliteGate(db: Database.Database): SqliteGate {
  /** The open transaction's context: whether it commits durably. */
  const inside = new AsyncLocalStorage<{ durable: boolean }>()
  /** The connection's synchronous level (FULL = 2); a non-durable commit lowers it to NORMAL (1). */
  const level = db.pragma('synchronous', { simple: true }) as number
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

  const transaction = <T>(fn: () => Promise<T>, options?: TransactionOptions): Promise<T> => {
    const durable = options?.durable !== false
    const outer = inside.getStore()
    if (outer) return durable && !outer.durable ? Promise.reject(new Error(NESTED_DURABLE_MESSAGE)) : fn()
    const relax = !durable && level > 1
    const result = tail.then(() =>
      inside.run({ durable }, async () => {
        open = true
        try {
          if (relax) db.pragma('synchronous = NORMAL')
          db.exec('BEGIN IMMEDIATE')
          try {
            const value = await fn()
            db.exec('COMMIT')
            return value
          } catch (e) {
            if (db.inTransaction) db.exec('ROLLBACK')
            throw e
          }
        } finally {
          if (relax && db.open) db.pragma(`synchronous = ${level}`)
          open = false
        }
      }),
    )
    tail = result.catch(() => undefined)
    return result
  }

  return { run, transaction }
}
