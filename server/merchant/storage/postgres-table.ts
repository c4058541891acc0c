import type { PgDb } from './postgres-client'

/**
 * INSERT and UPDATE of a table by a record's own keys (camelCase → snake_case columns, undefined
 * stored as NULL), as the SQLite repositories write: one statement text per set of keys, prepared
 * once per connection by its text.
 */

const snake = new Map<string, string>()
const snakeOf = (key: string) => {
  let column = snake.get(key)
  if (column === undefined) snake.set(key, (column = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)))
  return column
}

export interface PgTableWriter<T extends object> {
  insert(record: T): Promise<void>
  update(key: string, patch: Partial<T>): Promise<void>
}

/** The writer of `table`, whose rows are found by `keyColumn`. */
export function pgTableWriter<T extends object>(db: PgDb, table: string, keyColumn: string): PgTableWriter<T> {
  const inserts = new Map<string, string>()
  const updates = new Map<string, string>()
  const values = (obj: object, keys: string[]) => keys.map((k) => (obj as Record<string, unknown>)[k] ?? null)
  return {
    async insert(record) {
      const keys = Object.keys(record)
      const signature = keys.join(',')
      let sql = inserts.get(signature)
      if (sql === undefined) {
        sql = `INSERT INTO ${table} (${keys.map(snakeOf).join(', ')}) VALUES (${keys.map((_, i) => `$${i + 1}`).join(', ')})`
        inserts.set(signature, sql)
      }
      await db.exec(sql, values(record, keys))
    },
    async update(key, patch) {
      const keys = Object.keys(patch)
      if (!keys.length) return
      const signature = keys.join(',')
      let sql = updates.get(signature)
      if (sql === undefined) {
        sql = `UPDATE ${table} SET ${keys.map((k, i) => `${snakeOf(k)} = $${i + 1}`).join(', ')} WHERE ${keyColumn} = $${keys.length + 1}`
        updates.set(signature, sql)
      }
      await db.exec(sql, [...values(patch, keys), key])
    },
  }
}
