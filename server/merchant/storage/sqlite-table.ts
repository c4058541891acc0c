import type Database from 'better-sqlite3'

/**
 * Row ↔ record mapping for the SQLite repositories, paid once per statement rather than per call:
 * a query maps its result columns to camelCase keys when it is prepared; a table writer prepares
 * one INSERT / UPDATE per set of keys it meets and binds values positionally.
 */

type Row = Record<string, unknown>

const memo = (f: (s: string) => string) => {
  const cache = new Map<string, string>()
  return (s: string) => {
    let out = cache.get(s)
    if (out === undefined) cache.set(s, (out = f(s)))
    return out
  }
}
/** `createdAt` → `created_at` (memoised). */
export const snakeOf = memo((s) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`))
/** `created_at` → `createdAt` (memoised). */
export const camelOf = memo((s) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()))

export interface Query<T> {
  get(...args: unknown[]): T | undefined
  all(...args: unknown[]): T[]
}

/** A statement prepared once whose rows come back as records (column names mapped at prepare time). */
export function query<T>(db: Database.Database, sql: string): Query<T> {
  const stmt = db.prepare(sql).raw(true)
  const keys = stmt.columns().map((c) => camelOf(c.name))
  const toRecord = (row: unknown[]): T => {
    const out: Row = {}
    for (let i = 0; i < keys.length; i++) out[keys[i]] = row[i]
    return out as T
  }
  return {
    get: (...args) => {
      const row = stmt.get(...args) as unknown[] | undefined
      return row && toRecord(row)
    },
    all: (...args) => (stmt.all(...args) as unknown[][]).map(toRecord),
  }
}

export interface TableWriter<T extends object> {
  insert(record: T): void
  update(key: string, patch: Partial<T>): void
}

/** INSERT and UPDATE of `table` by a record's own keys (undefined stored as NULL); one statement per key set. */
export function tableWriter<T extends object>(db: Database.Database, table: string, keyColumn: string): TableWriter<T> {
  const inserts = new Map<string, Database.Statement>()
  const updates = new Map<string, Database.Statement>()
  const values = (obj: object, keys: string[]) => keys.map((k) => (obj as Row)[k] ?? null)
  return {
    insert(record) {
      const keys = Object.keys(record)
      const signature = keys.join(',')
      let stmt = inserts.get(signature)
      if (!stmt) {
        stmt = db.prepare(`INSERT INTO ${table} (${keys.map(snakeOf).join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`)
        inserts.set(signature, stmt)
      }
      stmt.run(...values(record, keys))
    },
    update(key, patch) {
      const keys = Object.keys(patch)
      if (!keys.length) return
      const signature = keys.join(',')
      let stmt = updates.get(signature)
      if (!stmt) {
        stmt = db.prepare(`UPDATE ${table} SET ${keys.map((k) => `${snakeOf(k)} = ?`).join(', ')} WHERE ${keyColumn} = ?`)
        updates.set(signature, stmt)
      }
      stmt.run(...values(patch, keys), key)
    },
  }
}
