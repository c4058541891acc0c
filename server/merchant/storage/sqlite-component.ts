/** The component verify ticket (thirdparty scenario), kept in its own one-row table so it survives restarts. */
import type Database from 'better-sqlite3'
import type { SqliteGate } from './sqlite-gate'
import type { ComponentTicketStore } from './types'

/** The ticket store over a migrated database (the table is migration 4), every statement through the gate. */
export function sqliteComponentTickets(db: Database.Database, gate: SqliteGate): ComponentTicketStore {
  const get = db.prepare('SELECT ticket FROM component_ticket WHERE id = 1')
  const put = db.prepare('INSERT INTO component_ticket (id, ticket, received_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET ticket = excluded.ticket, received_at = excluded.received_at')
  return {
    latest: () => gate.run(() => (get.get() as { ticket: string } | undefined)?.ticket ?? null),
    save: (ticket, at) => gate.run(() => void put.run(ticket, at)),
  }
}
