/** randomNonce: the nonce_str of every signed request and paySign (wechatpay-v3.md §1.1, §6). */
import { randomNonce } from '../../server/wechatpay'

test('32 characters of [0-9A-Za-z] by default, any length on request', () => {
  expect(randomNonce()).toMatch(/^[0-9A-Za-z]{32}$/)
  expect(randomNonce(12)).toMatch(/^[0-9A-Za-z]{12}$/)
  expect(randomNonce(200)).toMatch(/^[0-9A-Za-z]{200}$/)
})

test('never repeats across many draws (well past one 4 KiB batch of random bytes)', () => {
  const seen = new Set(Array.from({ length: 2000 }, () => randomNonce()))
  expect(seen.size).toBe(2000)
})

test('every character is about equally likely (no modulo bias towards 0-9A-H)', () => {
  const counts = new Map<string, number>()
  for (let i = 0; i < 2000; i++) for (const c of randomNonce()) counts.set(c, (counts.get(c) ?? 0) + 1)
  expect(counts.size).toBe(62)
  // 64,000 draws over 62 symbols: ~1032 each; a biased generator (byte % 62 without rejection) puts ~1240 on the first 8.
  const low = ['0', '1', '2', '3', '4', '5', '6', '7'].reduce((n, c) => n + (counts.get(c) ?? 0), 0) / 8
  const high = ['w', 'x', 'y', 'z'].reduce((n, c) => n + (counts.get(c) ?? 0), 0) / 4
  expect(low / high).toBeGreaterThan(0.85)
  expect(low / high).toBeLessThan(1.15)
})
