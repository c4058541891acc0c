import { AsyncLocalStorage } from 'node:async_hooks'
import type Database from 'better-sqlite3'
import { NESTED_DURABLE_MESSAGE, type TransactionOptions } from './types'
import { walSync, type WalSync, type WalSyncStats } from './sqlite-wal-sync'

/**
 * The asynchronous face of one synchronous better-sqlite3 connection. A transaction stays open
 * across the awaits of its body, so a call from elsewhere must not slip into it: calls made inside
 * the body (found through AsyncLocalStorage) run at once; calls from outside wait until the open
 * transaction ends; transactions run one at a time (BEGIN IMMEDIATE … COMMIT, ROLLBACK on a throw).
 *
 * Durability (a file database): the connection runs in WAL mode with synchronous=NORMAL and the
 * gate commits in groups (`sqlite-wal-sync.ts`). The next transaction may start as soon as one has
 * committed, but no call's answer leaves the gate before the commits it made or could have seen are
 * on disk: a durable write's caller and a reader that saw it both wait for the WAL's sync. A
 * `durable: false` transaction's caller does not wait (the next sync covers it anyway).
 * An in-memory database has nothing to sync.
 */
export interface SqliteGate {
  /** Runs a synchronous statement function (autocommit), after any transaction it is not part of. */
  run<T>(fn: () => T): Promise<T>
  /** Runs fn in one transaction; nested calls join the outer one. */
  transaction<T>(fn: () => Promise<T>, options?: TransactionOptions): Promise<T>
  /** Group-commit counters (all zero for an in-memory database). */
  stats(): WalSyncStats
  /** Waits for a WAL sync under way and releases the WAL handle (call before closing the connection). */
  close(): Promise<void>
}

/**
 * A gate over `db` (one per connection). `walPath`: the database's `-wal` file, for a file database
 * already in WAL mode with synchronous=NORMAL; null for `:memory:`.
 */
export function sqliteGate(db: Database.Database, walPath: string | null): SqliteGate {
  /** The open transaction's context: whether it commits durably. */
  const inside = new AsyncLocalStorage<{ durable: boolean }>()
  const wal: WalSync | null = walPath ? walSync(walPath) : null
  /** Rows changed by the connection so far (total_changes()): tells a write from a read. */
  const totalChanges = db.prepare('SELECT total_changes()').pluck()
  let changesSeen = totalChanges.get() as number
  /** Settles when the open transaction (if any) has ended; transactions queue on it. */
  let tail: Promise<unknown> = Promise.resolve()
  let open = false

  /**
   * After a statement or a commit, inside the gate: the commit number its caller must see on disk
   * before answering (a write of its own, or the newest commit it could have read); 0 when none.
   */
  const mark = (durable: boolean): number => {
    if (!wal || !db.open) return 0
    const now = totalChanges.get() as number
    const wrote = now !== changesSeen
    changesSeen = now
    if (!durable) return 0
    return wrote ? wal.committed() : wal.latest()
  }
  /** `value`, once commit `seq` is on disk. */
  const settle = <T>(value: T, seq: number): Promise<T> => {
    const waiting = wal && seq ? wal.durable(seq) : null
    return waiting ? waiting.then(() => value) : Promise.resolve(value)
  }

  const run = <T>(fn: () => T): Promise<T> => {
    if (inside.getStore()) {
      // Part of the open transaction: its commit decides durability.
      try {
        return Promise.resolve(fn())
      } catch (e) {
        return Promise.reject(e)
      }
    }
    if (open) return tail.then(() => run(fn))
    let value: T
    try {
      value = fn()
    } catch (e) {
      mark(true)
      return Promise.reject(e)
    }
    return settle(value, mark(true))
  }

  const transaction = <T>(fn: () => Promise<T>, options?: TransactionOptions): Promise<T> => {
    const durable = options?.durable !== false
    const outer = inside.getStore()
    if (outer) return durable && !outer.durable ? Promise.reject(new Error(NESTED_DURABLE_MESSAGE)) : fn()
    const committed = tail.then(() =>
      inside.run({ durable }, async () => {
        open = true
        try {
          db.exec('BEGIN IMMEDIATE')
          try {
            const value = await fn()
            db.exec('COMMIT')
            return { value, seq: mark(durable) }
          } catch (e) {
            if (db.inTransaction) db.exec('ROLLBACK')
            mark(false)
            throw e
          }
        } finally {
          open = false
        }
      }),
    )
    // The next transaction may begin while this one's commit is being synced.
    tail = committed.catch(() => undefined)
    return committed.then(({ value, seq }) => settle(value, seq))
  }

  return { run, transaction, stats: () => wal?.stats() ?? { commits: 0, synced: 0, syncs: 0 }, close: () => wal?.close() ?? Promise.resolve() }
}
