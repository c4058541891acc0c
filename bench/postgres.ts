/**
 * The PostgreSQL rows of `npm run bench`: an embedded PostgreSQL 18 (scripts/embedded-postgres.ts)
 * with its durable defaults — fsync on, synchronous_commit on, full-page writes on, checked with
 * SHOW — started by the bench, one fresh database per measurement. Orders with WORKERS=1 and
 * WORKERS=2 (backend CPU summed over all its processes; the server's CPU on its own), and
 * notifications against the raw floor inserting into the same server.
 */
import pg from 'pg'
import { createDatabase, startEmbeddedPostgres } from '../scripts/embedded-postgres'
import { benchNotificationThroughput, benchOrderThroughput, type NotificationThroughput, type OrdersThroughput } from './throughput'

export interface PostgresBench {
  settings: Record<string, string>
  orders: Array<OrdersThroughput>
  notifications: NotificationThroughput
}

/** Runs the PostgreSQL measurements; `workers` lists the WORKERS values of the order runs. */
export async function benchPostgres({ durationMs = 8000, notifyOrders = 1500, workers = [1, 2], step = (_: string) => undefined as void } = {}): Promise<PostgresBench> {
  const server = await startEmbeddedPostgres()
  try {
    const admin = new pg.Client({ connectionString: server.url })
    admin.on('error', () => undefined)
    await admin.connect()
    const settings: Record<string, string> = {}
    for (const name of ['fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method']) {
      settings[name] = String((await admin.query(`SHOW ${name}`)).rows[0][name])
    }
    if (settings.fsync !== 'on' || settings.synchronous_commit !== 'on') throw new Error(`bench PostgreSQL is not durable: ${JSON.stringify(settings)}`)
    const database = (name: string) => createDatabase(server.url, name)
    const orders: OrdersThroughput[] = []
    for (const n of workers) {
      step(`3 orders on PostgreSQL, WORKERS=${n}`)
      orders.push(await benchOrderThroughput({ durationMs, connections: 16, workers: n, databaseUrl: await database(`bench_orders_w${n}`) }))
    }
    step('4 notifications on PostgreSQL (floor inserts into the same server)')
    const notifications = await benchNotificationThroughput({ orders: notifyOrders, connections: 16, databaseUrl: await database('bench_notify'), floorDatabaseUrl: await database('bench_floor') })
    await admin.end()
    return { settings, orders, notifications }
  } finally {
    await server.stop()
  }
}
