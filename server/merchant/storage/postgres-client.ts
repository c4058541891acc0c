import { AsyncLocalStorage } from 'node:async_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { StorageUnavailableError } from './errors'
import { createKeyLock } from './memory-guards'
import { advisoryKey } from './postgres-migrate'
import { NESTED_DURABLE_MESSAGE, type TransactionOptions } from './types'

/**
 * The connection layer of the PostgreSQL storage: a pool whose BIGINTs come back as numbers, every
 * statement prepared once per connection, rows as camelCase records, transactions through
 * AsyncLocalStorage, and connection failures turned into StorageUnavailableError.
 *
 * Isolation: every connection runs SERIALIZABLE (default_transaction_isolation), as SQLite runs
 * one transaction at a time, so a read-decide-write body (one transition per notification, refunds
 * within what was paid) cannot interleave with another process's. A serialization failure or a
 * deadlock rolls back and runs the whole body again (at most TX_ATTEMPTS times): a transaction body
 * only reads and writes storage, so running it again is safe.
 */

type Row = Record<string, unknown>

/** How many times a transaction (or a lone statement) is tried when PostgreSQL cannot serialize it. */
const TX_ATTEMPTS = 20
/** Serialization failure, deadlock detected: the transaction did nothing and may simply run again. */
const RETRYABLE = new Set(['40001', '40P01'])
/** feature_not_supported: "cached plan must not change result type" (the table changed under a prepared statement). */
const STALE_PLAN = '0A000'
/** How long a connection attempt waits before the database counts as unreachable. */
const CONNECT_TIMEOUT_MS = 5_000

/** SQLSTATEs (and their classes) meaning the server cannot be used right now. */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300', '28P01', '28000', '3D000'])
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN'])
const UNAVAILABLE_MESSAGE = /Connection terminated|connection timeout|timeout exceeded when trying to connect|not queryable|Client was closed|Cannot use a pool after calling end/i

/** True when e says the database could not be reached or used (not that a statement was wrong). */
export function isConnectionFailure(e: unknown): boolean {
  // Not `instanceof Error`: socket errors may come from another realm (e.g. under jest).
  if (typeof e !== 'object' || e === null) return false
  const { code, message } = e as { code?: unknown; message?: unknown }
  if (typeof code === 'string' && (UNAVAILABLE_ERRNOS.has(code) || UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true
  return typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)
}

/** e as a StorageUnavailableError when it is a connection failure, else e itself. */
export function classify(e: unknown): unknown {
  if (e instanceof StorageUnavailableError || !isConnectionFailure(e)) return e
  return new StorageUnavailableError(`the PostgreSQL database is unavailable: ${(e as { message: string }).message}`, { cause: e })
}

/** BIGINT (int8) as a number; milliseconds and fen stay far below 2^53, anything else is refused. */
function parseInt8(text: string): number {
  const n = Number(text)
  if (!Number.isSafeInteger(n)) throw new RangeError(`BIGINT ${text} does not fit a JavaScript number`)
  return n
}

/** Pool settings for a DATABASE_URL: int8 as number; `serializable` sets the default isolation. */
export function poolConfig(url: string, max: number, serializable: boolean): pg.PoolConfig {
  return {
    connectionString: url,
    max,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    ...(serializable ? { options: '-c default_transaction_isolation=serializable' } : {}),
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === 20 ? parseInt8 : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser },
  }
}

const camel = new Map<string, string>()
const camelOf = (column: string) => {
  let key = camel.get(column)
  if (key === undefined) camel.set(column, (key = column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())))
  return key
}

/**
 * Rows come from the driver as arrays (rowMode 'array'), and each statement keeps the record keys of
 * its columns: a row becomes its record in one pass, without an intermediate object per row. The
 * keys are checked against the result's columns on each call (a migration may add one).
 */
interface Shape { columns: string[]; keys: Array<string | null> }
function shapeOf(shapes: Map<string, Shape>, sql: string, fields: pg.FieldDef[]): Shape {
  const known = shapes.get(sql)
  if (known && known.columns.length === fields.length && fields.every((f, i) => f.name === known.columns[i])) return known
  // `rowid` (the insertion-order column) is left out of records.
  const shape = { columns: fields.map((f) => f.name), keys: fields.map((f) => (f.name === 'rowid' ? null : camelOf(f.name))) }
  shapes.set(sql, shape)
  return shape
}
function toRecords<T>(shape: Shape, rows: unknown[][], limit: number): T[] {
  const out: T[] = []
  const { keys } = shape
  for (let r = 0; r < rows.length && r < limit; r++) {
    const row = rows[r]
    const record: Row = {}
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]
      if (key !== null) record[key] = row[i]
    }
    out.push(record as T)
  }
  return out
}

export interface PgDb {
  /** Rows of a statement as records. */
  rows<T>(sql: string, params?: unknown[]): Promise<T[]>
  /** The first row as a record, or undefined. */
  one<T>(sql: string, params?: unknown[]): Promise<T | undefined>
  /** Runs a statement; resolves to the number of rows it touched. */
  exec(sql: string, params?: unknown[]): Promise<number>
  /** Runs fn in one transaction (nested calls join it); rolled back when fn throws. */
  transaction<T>(fn: () => Promise<T>, options?: TransactionOptions): Promise<T>
  pool: pg.Pool
}

/** A transaction in progress; `done` once it ended, so late calls from its async context use the pool. */
interface Tx {
  client: pg.PoolClient
  done: boolean
  durable: boolean
}

/** Statement names, one per statement text in this process: every runner (and pool) shares them, so a name never means two texts on one connection. */
const names = new Map<string, string>()
let statements = 0

/**
 * The query runner over `pool` (the pool must have been made with poolConfig(…, serializable = true)).
 * `readPool` (READ COMMITTED), when given, runs the SELECTs made outside any transaction: one
 * statement reads one snapshot at either level, and at READ COMMITTED it takes no SIREAD locks that
 * would outlive it and make concurrent SERIALIZABLE transactions fail.
 */
export function pgDb(pool: pg.Pool, readPool: pg.Pool = pool): PgDb {
  const keyQueue = createKeyLock()
  const current = new AsyncLocalStorage<Tx>()
  const shapes = new Map<string, Shape>()
  const nameOf = (sql: string) => {
    let name = names.get(sql)
    if (name === undefined) names.set(sql, (name = `s${++statements}`))
    return name
  }
  /**
   * A statement prepared before another process's migration changed its tables (`SELECT *` after
   * a column was added) is refused by the server: it gets a new name, prepared afresh on each
   * connection, and the call (or its whole transaction) runs again.
   */
  const replanned = (sql: string, e: unknown) => {
    if ((e as { code?: string }).code !== STALE_PLAN) return false
    names.set(sql, `s${++statements}`)
    return true
  }

  async function query(sql: string, params: unknown[]): Promise<pg.QueryResult<unknown[]>> {
    const tx = current.getStore()
    if (tx && !tx.done) {
      try {
        return await tx.client.query<unknown[]>({ name: nameOf(sql), text: sql, values: params, rowMode: 'array' })
      } catch (e) {
        replanned(sql, e)
        throw classify(e)
      }
    }
    const target = isSelect(sql) ? readPool : pool
    for (let attempt = 1; ; attempt++) {
      try {
        return await target.query<unknown[]>({ name: nameOf(sql), text: sql, values: params, rowMode: 'array' })
      } catch (e) {
        const again = replanned(sql, e) || RETRYABLE.has((e as { code?: string }).code ?? '')
        if (!again || attempt >= TX_ATTEMPTS) throw classify(e)
        await sleep(backoffMs(attempt))
      }
    }
  }

  async function transaction<T>(fn: () => Promise<T>, options?: TransactionOptions): Promise<T> {
    const durable = options?.durable !== false
    const outer = current.getStore()
    if (outer && !outer.done) {
      if (durable && !outer.durable) throw new Error(NESTED_DURABLE_MESSAGE)
      return fn()
    }
    // Keyed transactions of this process queue here first, so one key never holds more than one
    // pooled connection waiting on its advisory lock (the others would starve the pool).
    if (options?.key !== undefined) return keyQueue(options.key, () => run(fn, durable, options.key))
    return run(fn, durable, undefined)
  }

  async function run<T>(fn: () => Promise<T>, durable: boolean, txKey: string | undefined): Promise<T> {
    // A keyed transaction queues on a session lock taken before BEGIN: taken inside, the serializable
    // snapshot would already be fixed when the lock is granted, and the body would fail to serialize.
    const key = txKey === undefined ? undefined : advisoryKey('tx', txKey)
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient
      try {
        client = await pool.connect()
      } catch (e) {
        throw classify(e)
      }
      const tx: Tx = { client, done: false, durable }
      let broken: Error | undefined
      let unlocked = false
      try {
        if (key !== undefined) await client.query('SELECT pg_advisory_lock($1::bigint)', [key])
      } catch (e) {
        client.release(e as Error)
        throw classify(e)
      }
      try {
        // Not durable (types.ts TransactionOptions): COMMIT returns before the WAL reaches the disk.
        // Both statements in one simple query: one round trip.
        await client.query(durable ? 'BEGIN' : 'BEGIN; SET LOCAL synchronous_commit = off')
        const value = await current.run(tx, fn)
        if (key === undefined) await client.query('COMMIT')
        else {
          // The unlock rides with the COMMIT (the key is our own decimal bigint, inlined). A COMMIT that
          // fails stops the string before the unlock, which `finally` then sends on its own.
          await client.query(`COMMIT; SELECT pg_advisory_unlock('${key}'::bigint)`)
          unlocked = true
        }
        return value
      } catch (e) {
        await client.query('ROLLBACK').catch((re: Error) => {
          broken = re
        })
        const code = (e as { code?: string }).code ?? ''
        if (!(RETRYABLE.has(code) || code === STALE_PLAN) || attempt >= TX_ATTEMPTS) throw classify(e)
      } finally {
        tx.done = true
        if (key !== undefined && !broken && !unlocked) {
          await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch((e: Error) => {
            broken = e
          })
        }
        // A client whose ROLLBACK or unlock failed is in an unknown state: the pool destroys it (and
        // the server frees its locks with the connection).
        client.release(broken)
      }
      await sleep(backoffMs(attempt))
    }
  }

  return {
    rows: async <T>(sql: string, params: unknown[] = []) => {
      if (lookupOfNul(sql, params)) return []
      const r = await query(sql, params)
      return toRecords<T>(shapeOf(shapes, sql, r.fields), r.rows, Infinity)
    },
    one: async <T>(sql: string, params: unknown[] = []) => {
      if (lookupOfNul(sql, params)) return undefined
      const r = await query(sql, params)
      return r.rows.length ? toRecords<T>(shapeOf(shapes, sql, r.fields), r.rows, 1)[0] : undefined
    },
    exec: async (sql, params = []) => (await query(sql, params)).rowCount ?? 0,
    transaction,
    pool,
  }
}

/**
 * PostgreSQL text cannot hold NUL (SQLite's can), so no stored value equals a parameter with one:
 * a SELECT looking one up finds nothing, as on SQLite, instead of failing (the repositories' reads
 * only compare text for equality). A write of such text still fails.
 */
const lookupOfNul = (sql: string, params: unknown[]) => isSelect(sql) && params.some((p) => typeof p === 'string' && p.includes('\u0000'))

const selects = new Map<string, boolean>()
/** True for a SELECT statement (remembered per statement text). */
function isSelect(sql: string): boolean {
  let yes = selects.get(sql)
  if (yes === undefined) selects.set(sql, (yes = /^\s*SELECT\b/i.test(sql)))
  return yes
}

/** A few milliseconds, growing and jittered, before running a conflicted transaction again. */
const backoffMs = (attempt: number) => Math.min(100, 2 ** attempt) * (0.5 + Math.random())
