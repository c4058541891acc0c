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

describe('SQLite gate: the synchronous level of a non-durable transaction', () => {
  test('NORMAL only inside it, FULL again after a commit or a rollback, and no outside write runs under NORMAL', async () => {
    const db = new Database(':memory:')
    db.pragma('synchronous = FULL')
    db.exec('CREATE TABLE t (x INTEGER)')
    const gate = sqliteGate(db)
    const level = () => db.pragma('synchronous', { simple: true })
    const seen: unknown[] = []
    let start = () => undefined as void
    // Registered outside the transaction: it waits for the gate, so it sees FULL.
    const outside = new Promise<void>((resolve) => (start = resolve)).then(() => gate.run(() => seen.push(['outside', level()])))
    await gate.transaction(async () => {
      seen.push(['inside', level()])
      start()
      await new Promise((resolve) => setTimeout(resolve, 10))
      await gate.run(() => db.prepare('INSERT INTO t VALUES (1)').run())
    }, { durable: false })
    await outside
    expect(seen).toEqual([['inside', 1], ['outside', 2]])
    await expect(gate.transaction(async () => { throw new Error('boom') }, { durable: false })).rejects.toThrow('boom')
    expect(level()).toBe(2)
    await gate.transaction(async () => void seen.push(['durable', level()]))
    expect(seen.at(-1)).toEqual(['durable', 2])
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 })
    db.close()
  })
})
