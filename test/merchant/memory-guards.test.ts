import { createMemoryLimiter } from '../../server/merchant/storage/memory-guards'

/** The limiter's contract spelled out naively: a hit fits when fewer than `limit` accepted hits are in the window. */
function reference(limit: number, windowMs: number) {
  const hits = new Map<string, number[]>()
  return (key: string, now: number) => {
    const recent = (hits.get(key) ?? []).filter((t) => now - t < windowMs)
    const ok = recent.length < limit
    if (ok) recent.push(now)
    hits.set(key, recent)
    return ok
  }
}

describe('in-memory limiter (one process: SQLite)', () => {
  test('a sliding window: the hit `limit` hits back decides; refused hits are not counted', async () => {
    let now = 0
    const l = createMemoryLimiter(2, 1_000, () => now)
    expect([await l.take('k'), await l.take('k'), await l.take('k')]).toEqual([true, true, false])
    now = 999
    expect(await l.take('k')).toBe(false)
    now = 1_000 // the first hit leaves the window, the second (at 0) too
    expect([await l.take('k'), await l.take('k'), await l.take('k')]).toEqual([true, true, false])
    expect(await l.take('other')).toBe(true)
    expect(await createMemoryLimiter(0, 1_000, () => now).take('k')).toBe(false)
  })

  test('answers exactly as counting the window would, over a long random run of several keys', async () => {
    let seed = 7
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    for (const limit of [1, 3, 10]) {
      let now = 0
      const l = createMemoryLimiter(limit, 500, () => now)
      const r = reference(limit, 500)
      for (let i = 0; i < 5_000; i++) {
        now += Math.floor(random() * 40)
        const key = `u${Math.floor(random() * 4)}`
        expect(await l.take(key)).toBe(r(key, now))
      }
    }
  })

  test('many keys: idle ones are dropped, live ones keep their count', async () => {
    let now = 0
    const l = createMemoryLimiter(1, 1_000, () => now)
    expect(await l.take('live')).toBe(true)
    for (let i = 0; i < 25_000; i++) await l.take(`k${i}`)
    expect(await l.take('live')).toBe(false)
    now = 5_000
    for (let i = 0; i < 25_000; i++) await l.take(`n${i}`)
    expect(await l.take('k1')).toBe(true) // dropped long ago or out of its window: a fresh start either way
  })
})
