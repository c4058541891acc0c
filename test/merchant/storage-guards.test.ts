/**
 * The PostgreSQL guards across processes: two Storage instances on one database stand for two
 * backend processes (each has its own pools, as a process would).
 */
import { createServer, connect, type Server, type Socket } from 'node:net'
import pg from 'pg'
import { ConfigError } from '../../server/merchant/errors'
import { MIGRATIONS } from '../../server/merchant/storage/migrations'
import { openStorage, StorageUnavailableError, type Storage } from '../../server/merchant/storage'
import { freePort } from '../../scripts/free-port'
import { failure, order, storageForSuite } from './storage-helpers'

const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms))

/** Runs sql on the database at url through a connection of its own. */
async function adminQuery<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<T>(sql, params)).rows
  } finally {
    await client.end()
  }
}

/** A TCP relay in front of the database: `down()` cuts every connection and refuses new ones, `up()` restores it. */
async function relay(target: URL) {
  const port = await freePort()
  const sockets = new Set<Socket>()
  let server: Server | undefined
  const up = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port), target.hostname)
        for (const [a, b] of [[client, upstream], [upstream, client]]) {
          sockets.add(a)
          a.on('error', () => b.destroy())
          a.on('close', () => {
            sockets.delete(a)
            b.destroy()
          })
          a.pipe(b)
        }
      })
      server.listen(port, '127.0.0.1', resolve)
    })
  const down = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      server?.close(() => resolve())
    })
  await up()
  const url = new URL(target)
  url.port = String(port)
  return { url: url.toString(), up, down }
}

describe('postgres guards, two processes on one database', () => {
  const { open, durableUrl, openTwo } = storageForSuite('postgres')

  test('concurrent starts migrate once', async () => {
    const url = await durableUrl()
    const all = await Promise.all([open(url), open(url), open(url), open(url)])
    expect(all.every((s) => s.engine === 'postgres')).toBe(true)
    const rows = await adminQuery<{ version: number; name: string }>(url, 'SELECT version, name FROM schema_migrations ORDER BY version')
    expect(rows).toEqual(MIGRATIONS.map((m, i) => ({ version: i + 1, name: m.name })))
    await open(url) // a restart applies nothing and fails on nothing
    expect(await adminQuery(url, 'SELECT version FROM schema_migrations')).toHaveLength(MIGRATIONS.length)
  })

  test('withLock: a key held by one process waits in the other; other keys do not; a throw releases it', async () => {
    const [a, b] = await openTwo()
    const events: string[] = []
    let release = () => undefined as void
    const held = new Promise<void>((resolve) => (release = resolve))
    const first = a.withLock('ORDER1', async () => {
      events.push('a in')
      await a.users.upsertByOpenid('o', null, 1, () => 'U') // the holder's own queries still run
      await held
      events.push('a out')
    })
    await tick(100)
    const second = b.withLock('ORDER1', async () => void events.push('b in'))
    const other = b.withLock('ORDER2', async () => void events.push('b other'))
    await other
    await tick(200)
    expect(events).toEqual(['a in', 'b other'])
    release()
    await Promise.all([first, second])
    expect(events).toEqual(['a in', 'b other', 'a out', 'b in'])
    await expect(a.withLock('ORDER1', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    await expect(b.withLock('ORDER1', async () => 'free')).resolves.toBe('free')
  })

  test('withLock: many tasks of both processes on one key run one at a time', async () => {
    const [a, b] = await openTwo()
    let inside = 0
    let most = 0
    const task = async () => {
      most = Math.max(most, ++inside)
      await tick(5)
      inside--
    }
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).withLock('K', task)))
    expect(most).toBe(1)
  })

  test('a limiter is shared: hits in either process count, per name and key, in a sliding window', async () => {
    const [a, b] = await openTwo()
    let now = 1_000_000
    const clock = () => now
    const la = a.limiter('orders', 2, 60_000, clock)
    const lb = b.limiter('orders', 2, 60_000, clock)
    expect(await la.take('user-1')).toBe(true)
    now += 30_000
    expect(await lb.take('user-1')).toBe(true)
    expect(await la.take('user-1')).toBe(false)
    expect(await lb.take('user-1')).toBe(false)
    expect(await lb.take('user-2')).toBe(true)
    expect(await b.limiter('logins', 2, 60_000, clock).take('user-1')).toBe(true)
    now += 30_000 // the first hit leaves the window; the second (30 s ago) stays
    expect(await lb.take('user-1')).toBe(true)
    expect(await la.take('user-1')).toBe(false)
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? la : lb).take('user-3')))
    expect(burst.filter(Boolean)).toHaveLength(2)
  })

  test('a limiter answers exactly as counting the window would, over a random run of several keys in two processes', async () => {
    const [a, b] = await openTwo()
    let seed = 11
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    for (const limit of [1, 3, 7]) {
      let now = 5_000_000
      const clock = () => now
      const sides = [a.limiter(`model-${limit}`, limit, 500, clock), b.limiter(`model-${limit}`, limit, 500, clock)]
      const kept = new Map<string, number[]>()
      for (let i = 0; i < 400; i++) {
        now += Math.floor(random() * 60)
        const key = `u${Math.floor(random() * 3)}`
        // The naive rule: a hit fits when fewer than `limit` accepted hits are inside the window.
        const recent = (kept.get(key) ?? []).filter((t) => now - t < 500)
        const expected = recent.length < limit
        if (expected) recent.push(now)
        kept.set(key, recent)
        expect([i, key, await sides[i % 2].take(key)]).toEqual([i, key, expected])
      }
    }
  })

  test('a key with thousands of hits in its window keeps only the rows that can still matter', async () => {
    const url = await durableUrl()
    const s = await open(url)
    let now = 9_000_000
    const l = s.limiter('busy', 1_000_000, 1_000, () => now)
    for (let i = 0; i < 3_000; i++) {
      now += 1 // 3 s of hits, one per millisecond: the window (1 s) holds 1,000 of them
      expect(await l.take('one-user')).toBe(true)
    }
    const [{ n }] = await adminQuery<{ n: string }>(url, "SELECT count(*) AS n FROM rate_hits WHERE name = 'busy' AND key = 'one-user'")
    // The 1,000 hits in the window, and at most a few not yet dropped (two go per take).
    expect(Number(n)).toBeGreaterThanOrEqual(1_000)
    expect(Number(n)).toBeLessThan(1_010)
    const small = s.limiter('busy-small', 2, 1_000, () => now)
    expect([await small.take('k'), await small.take('k'), await small.take('k')]).toEqual([true, true, false])
  })

  test('two payments of neighbouring orders at once both commit (SERIALIZABLE, no index touched by a payment)', async () => {
    const url = await durableUrl()
    const s = await open(url)
    await s.users.upsertByOpenid('a', null, 1, () => 'A')
    for (let n = 1; n <= 50; n++) await s.orders.insert(order('A', n))
    const [t1, t2] = [new pg.Client({ connectionString: url }), new pg.Client({ connectionString: url })]
    await Promise.all([t1.connect(), t2.connect()])
    try {
      const pay = (c: pg.Client, orderNo: string) => c.query("UPDATE orders SET status = 'paid', paid_at = 1, transaction_id = 'T', paid_out_trade_no = $1 WHERE order_no = $1", [orderNo])
      // What a payment's transaction does, interleaved: both read their order (neighbours in the
      // primary key's leaf page), then both write it.
      for (const c of [t1, t2]) await c.query('BEGIN ISOLATION LEVEL SERIALIZABLE')
      await t1.query("SELECT * FROM orders WHERE order_no = 'ORDER000010'")
      await t2.query("SELECT * FROM orders WHERE order_no = 'ORDER000011'")
      await pay(t1, 'ORDER000010')
      await pay(t2, 'ORDER000011')
      await t1.query('COMMIT')
      await t2.query('COMMIT')
    } finally {
      await Promise.all([t1.end(), t2.end()])
    }
    expect((await s.orders.get('ORDER000011'))?.status).toBe('paid')
    expect((await s.orders.listUnpaid(0, 100)).map((o) => o.orderNo)).not.toContain('ORDER000010')
  })

  test('lead: one process leads; the other takes over when the leader closes or dies', async () => {
    const url = await durableUrl()
    const [a, b, c] = [await open(url), await open(url), await open(url)]
    expect(await a.lead('reconciler')).toBe(true)
    expect(await b.lead('reconciler')).toBe(false)
    expect(await a.lead('reconciler')).toBe(true)
    expect(await b.lead('other-job')).toBe(true)
    await a.close()
    expect(await b.lead('reconciler')).toBe(true)
    expect(await c.lead('reconciler')).toBe(false)
    // b's process dies: the server ends its session (as when its connection drops) and frees the lease.
    await adminQuery(url, "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()")
    await tick(100)
    expect(await c.lead('reconciler')).toBe(true)
    expect(await b.lead('reconciler')).toBe(false)
  })

  test('transactions of two processes on one row never lose an update (serializable, retried)', async () => {
    const [a, b] = await openTwo()
    await a.users.upsertByOpenid('o', null, 1, () => 'A')
    await a.orders.insert(order('A', 1, { amount: 1_000 }))
    const addOne = (s: Storage) =>
      s.transaction(async () => {
        const o = await s.orders.get('ORDER000001')
        await tick(1)
        await s.orders.update('ORDER000001', { refundedAmount: (o?.refundedAmount ?? 0) + 1 })
      })
    await Promise.all(Array.from({ length: 30 }, (_, i) => addOne(i % 2 ? a : b)))
    expect((await b.orders.get('ORDER000001'))?.refundedAmount).toBe(30)
  })

  test('transactions naming one key run one after another across processes (no serialization failure to retry)', async () => {
    const [a, b] = await openTwo()
    await a.users.upsertByOpenid('o', null, 1, () => 'A')
    await a.orders.insert(order('A', 1, { amount: 1_000 }))
    let runs = 0
    const addOne = (s: Storage) =>
      s.transaction(async () => {
        runs++
        const o = await s.orders.get('ORDER000001')
        await tick(1)
        await s.orders.update('ORDER000001', { refundedAmount: (o?.refundedAmount ?? 0) + 1 })
      }, { key: 'order:ORDER000001' })
    await Promise.all(Array.from({ length: 40 }, (_, i) => addOne(i % 2 ? a : b)))
    expect((await b.orders.get('ORDER000001'))?.refundedAmount).toBe(40)
    // Queued on the key, each body ran once: none failed to serialize and ran again.
    expect(runs).toBe(40)
  })

  test('a migration by another process (a column added) does not break statements prepared before it', async () => {
    const url = await durableUrl()
    const s = await open(url)
    await s.users.upsertByOpenid('o', null, 1, () => 'A')
    await s.orders.insert(order('A', 1))
    expect((await s.orders.get('ORDER000001'))?.orderNo).toBe('ORDER000001') // prepared on the connection
    await adminQuery(url, 'ALTER TABLE orders ADD COLUMN later_column TEXT')
    expect((await s.orders.get('ORDER000001'))?.orderNo).toBe('ORDER000001')
    await adminQuery(url, 'ALTER TABLE users ADD COLUMN later_column TEXT')
    expect(await s.transaction(async () => (await s.users.get('A'))?.openid)).toBe('o')
  })

  test('a database that goes away: calls fail with StorageUnavailableError, and work again when it is back', async () => {
    const url = await durableUrl()
    const r = await relay(new URL(url))
    const s = await open(r.url)
    await s.users.upsertByOpenid('o', null, 1, () => 'A')
    expect(await s.lead('reconciler')).toBe(true)
    await r.down()
    await expect(s.users.get('A')).rejects.toBeInstanceOf(StorageUnavailableError)
    await expect(s.transaction(() => s.users.get('A'))).rejects.toBeInstanceOf(StorageUnavailableError)
    await expect(s.withLock('K', async () => 'never')).rejects.toBeInstanceOf(StorageUnavailableError)
    expect(await s.lead('reconciler')).toBe(false)
    await r.up()
    expect((await s.users.get('A'))?.id).toBe('A')
    // Cut while a transaction is open and while a lock is held: those calls fail, the process lives on.
    const cutInside = s.transaction(async () => {
      await s.users.get('A')
      await r.down()
      return s.users.get('A')
    })
    expect(await failure(cutInside)).toMatch(/unavailable/)
    await r.up()
    expect(await s.withLock('K', async () => {
      await r.down()
      return 'finished'
    })).toBe('finished')
    await r.up()
    expect((await s.users.get('A'))?.id).toBe('A')
    expect(await s.transaction(async () => (await s.users.get('A'))?.openid)).toBe('o')
    expect(await s.withLock('K', async () => 'locked')).toBe('locked')
    expect(await s.lead('reconciler')).toBe(true)
    await r.down()
  })

  test('at start, an unreachable or refusing database is one ConfigError line naming DATABASE_URL (no password)', async () => {
    const url = new URL(await durableUrl())
    const closed = new URL(url)
    closed.port = String(await freePort())
    const wrongPassword = new URL(url)
    wrongPassword.password = 'not-the-password'
    const missing = new URL(url)
    missing.pathname = '/no_such_database'
    for (const bad of [closed, wrongPassword, missing]) {
      const e = await openStorage(bad.toString()).then(() => undefined, (err: unknown) => err)
      expect(e).toBeInstanceOf(ConfigError)
      expect((e as Error).message).toMatch(/^DATABASE_URL: /)
      expect((e as Error).message).not.toContain('\n')
      expect((e as Error).message).not.toContain(url.password)
    }
  })
})
