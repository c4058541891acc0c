/** The component verify ticket (thirdparty scenario), kept in its own table so it survives restarts. */
import type Database from 'better-sqlite3'
import type { ComponentTicketStore } from './types'


/** A one-row table, created when missing (outside the numbered migrations: it depends on nothing). */
export function sqliteComponentTickets(db: Database.Database): ComponentTicketStore {
  db.exec('CREATE TABLE IF NOT EXISTS component_ticket (id INTEGER PRIMARY KEY CHECK (id = 1), ticket TEXT NOT NULL, received_at INTEGER NOT NULL)')
  const get = db.prepare('SELECT ticket FROM component_ticket WHERE id = 1')
  const put = db.prepare('INSERT INTO component_ticket (id, ticket, received_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET ticket = excluded.ticket, received_at = excluded.received_at')
  return {
    latest: () => (get.get() as { ticket: string } | undefined)?.ticket ?? null,
    save: (ticket, at) => {
      put.run(ticket, at)
    },
  }
}
