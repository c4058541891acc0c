import { createHash } from 'node:crypto'
import type pg from 'pg'
import { MIGRATIONS } from './migrations'

/** A 64-bit advisory-lock key (as a decimal string) for a name in a namespace ('lock', 'lead', …). */
export function advisoryKey(namespace: string, name: string): string {
  return createHash('sha256').update(`${namespace}\0${name}`).digest().readBigInt64BE(0).toString()
}

/**
 * Applies the migrations the database has not run yet, in one transaction under a transaction-level
 * advisory lock: processes starting together wait for each other, and the later ones find the work
 * done. `schema_migrations` remembers each applied entry (its index in MIGRATIONS and its name).
 */
export async function migratePostgres(client: pg.ClientBase): Promise<number> {
  // READ COMMITTED: each statement sees what a process that held the lock before committed.
  await client.query('BEGIN ISOLATION LEVEL READ COMMITTED')
  try {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryKey('migrate', 'schema')])
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())')
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations')
    const done = new Set(rows.map((r) => r.version))
    let applied = 0
    for (let v = 0; v < MIGRATIONS.length; v++) {
      if (done.has(v + 1)) continue
      await client.query(MIGRATIONS[v].postgres)
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [v + 1, MIGRATIONS[v].name])
      applied++
    }
    await client.query('COMMIT')
    return applied
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw e
  }
}
