import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { sqliteGate } from '../../server/merchant/storage/sqlite-gate'
import { NESTED_DURABLE_MESSAGE } from '../../server/merchant/storage'
import { ENGINES, failure, order, storageForSuite } from './storage-helpers'

describe.each(ENGINES)('%s storage: transaction({ durable: false })', (engine) => {
  const { open, durableUrl } = storageForSuite(engine)

  test('commits like any transaction: visible at once, to others, and after reopening', async () => {
    const url = await durableUrl()
    const s = await open(url)
    await s.users.upsertByOpenid('a', null, 1, () => 'A')
    const value = await s.transaction(async () => {
      await s.orders.insert(order('A', 1))
      await s.orders.update('ORDER000001', { lastQueriedAt: 42 })
      return 'done'
    }, { durable: false })
    expect(value).toBe('done')
    expect(await s.orders.get('ORDER000001')).toMatchObject({ lastQueriedAt: 42 })
    // A durable write after it still works (the level was restored) and both survive a reopen.
    await s.transaction(() => s.orders.insert(order('A', 2)))
    await s.close()
    const again = await open(url)
    expect((await again.orders.listByUser('A', 10)).map((o) => [o.orderNo, o.lastQueriedAt])).toEqual([['ORDER000002', null], ['ORDER000001', 42]])
  })

  test('rolls back when its body throws, like a durable one', async () => {
    const s = await open()
    await s.users.upsertByOpenid('a', null, 1, () => 'A')
    const message = await failure(
      s.transaction(async () => {
        await s.orders.insert(order('A', 1))
        throw new Error('boom')
      }, { durable: false }),
    )
    expect(message).toBe('boom')
    expect(await s.orders.get('ORDER000001')).toBeUndefined()
  })

  test('a durable transaction inside a non-durable one fails (and takes it down); the reverse joins', async () => {
    const s = await open()
    await s.users.upsertByOpenid('a', null, 1, () => 'A')
    const message = await failure(
      s.transaction(async () => {
        await s.orders.insert(order('A', 1))
        await s.transaction(() => s.orders.insert(order('A', 2)))
      }, { durable: false }),
    )
    expect(message).toBe(NESTED_DURABLE_MESSAGE)
    expect(await s.orders.listByUser('A', 10)).toEqual([])
    await s.transaction(async () => {
      await s.orders.insert(order('A', 3))
      await s.transaction(() => s.orders.insert(order('A', 4)), { durable: false })
    })
    expect((await s.orders.listByUser('A', 10)).map((o) => o.orderNo)).toEqual(['ORDER000004', 'ORDER000003'])
  })
})

describe('SQLite gate: group commit (WAL, synchronous=NORMAL, the WAL synced off the event loop)', () => {
  const fileGate = (walPath?: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'gate-'))
    const file = join(dir, 'g.db')
    const db = new Database(file)
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.exec('CREATE TABLE t (x INTEGER)')
    const gate = sqliteGate(db, walPath ?? `${file}-wal`)
    const insert = db.prepare('INSERT INTO t VALUES (?)')
    const count = () => (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n
    return { db, file, gate, insert, count }
  }

  test('concurrent durable commits share WAL syncs, every caller answered only once its commit is synced, all there after a reopen', async () => {
    const { db, file, gate, insert } = fileGate()
    const answered: number[] = []
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        gate.transaction(async () => {
          await gate.run(() => insert.run(i))
          await Promise.resolve()
        }).then(() => {
          const { synced, commits } = gate.stats()
          // At least this caller's own commit (the i-th or later) is on disk when it is answered.
          answered.push(synced)
          expect(synced).toBeGreaterThanOrEqual(1)
          expect(synced).toBeLessThanOrEqual(commits)
        }),
      ),
    )
    const stats = gate.stats()
    expect(stats).toMatchObject({ commits: 40, synced: 40 })
    expect(stats.syncs).toBeGreaterThanOrEqual(1)
    expect(stats.syncs).toBeLessThan(40)
    expect(Math.min(...answered)).toBeGreaterThanOrEqual(1)
    await gate.close()
    db.close()
    expect((new Database(file).prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(40)
  })

  test('a read that may have seen an unsynced commit waits for it; a read of synced data and a non-durable commit do not sync', async () => {
    const { db, gate, insert, count } = fileGate()
    const write = gate.run(() => insert.run(1))
    const read = gate.run(count).then((n) => ({ n, synced: gate.stats().synced }))
    expect(await read).toEqual({ n: 1, synced: 1 })
    await write
    const before = gate.stats()
    expect(await gate.run(count)).toBe(1)
    await gate.transaction(async () => void (await gate.run(() => insert.run(2))), { durable: false })
    expect(gate.stats()).toEqual(before)
    // The next durable commit's sync covers the relaxed one too (the WAL is sequential).
    await gate.run(() => insert.run(3))
    expect(gate.stats()).toMatchObject({ commits: 2, synced: 2, syncs: before.syncs + 1 })
    await gate.close()
    db.close()
  })

  test('a WAL that cannot be synced fails the write as StorageUnavailableError (a 503), never a false success', async () => {
    const { db, gate, insert } = fileGate('/nonexistent-dir/g.db-wal')
    await expect(gate.run(() => insert.run(1))).rejects.toMatchObject({ name: 'StorageUnavailableError' })
    await expect(gate.transaction(async () => void (await gate.run(() => insert.run(2))))).rejects.toMatchObject({ name: 'StorageUnavailableError' })
    await gate.close()
    db.close()
  })

  test('an in-memory database has nothing to sync', async () => {
    const db = new Database(':memory:')
    db.exec('CREATE TABLE t (x INTEGER)')
    const gate = sqliteGate(db, null)
    await gate.transaction(async () => void (await gate.run(() => db.prepare('INSERT INTO t VALUES (1)').run())))
    expect(gate.stats()).toEqual({ commits: 0, synced: 0, syncs: 0 })
    db.close()
  })
})
