/** The protocol rules both sides share (server/wechatpay/rules.ts). */
import { notifyUrlProblem, OUT_REFUND_NO_PATTERN, OUT_TRADE_NO_PATTERN, parseRfc3339, PREPAY_VALIDITY_MS, rfc3339 } from '../../server/wechatpay'

test('out_trade_no: 6–32 of [0-9A-Za-z_-|*]; out_refund_no: 1–64, @ allowed', () => {
  for (const ok of ['123456', 'A_b-c|d*e', 'x'.repeat(32)]) expect(ok).toMatch(OUT_TRADE_NO_PATTERN)
  for (const bad of ['12345', 'x'.repeat(33), 'ABC@123', 'ABC 123', '订单123456']) expect(bad).not.toMatch(OUT_TRADE_NO_PATTERN)
  for (const ok of ['R', 'R@1|2*3_4-5', 'r'.repeat(64)]) expect(ok).toMatch(OUT_REFUND_NO_PATTERN)
  for (const bad of ['', 'r'.repeat(65), 'R#1']) expect(bad).not.toMatch(OUT_REFUND_NO_PATTERN)
})

test.each([
  ['https://shop.example.com/api/wechatpay/notify', null],
  ['http://127.0.0.1:3000/notify', null],
  ['http://localhost/notify', null],
  ['http://[::1]:8080/notify', null],
  ['http://shop.example.com/notify', 'NOT_HTTPS'],
  ['ftp://127.0.0.1/notify', 'NOT_HTTPS'],
  ['/api/wechatpay/notify', 'NOT_ABSOLUTE'],
  ['https://shop.example.com/notify?x=1', 'HAS_QUERY'],
  ['https://shop.example.com/notify?', 'HAS_QUERY'],
  ['https://shop.example.com/notify#x', 'HAS_FRAGMENT'],
  [`https://shop.example.com/${'n'.repeat(240)}`, 'TOO_LONG'],
])('notify_url %s → %s', (url, problem) => {
  expect(notifyUrlProblem(url)).toBe(problem)
})

test('times are RFC 3339 in +08:00, whole seconds; parsing is strict and keeps the instant', () => {
  const ms = Date.UTC(2024, 11, 31, 16, 30, 5, 999) // 2025-01-01 00:30:05.999 in China
  expect(rfc3339(ms)).toBe('2025-01-01T00:30:05+08:00')
  expect(parseRfc3339(rfc3339(ms))).toBe(ms - 999)
  expect(parseRfc3339('2025-01-01T00:30:05Z')).toBe(Date.UTC(2025, 0, 1, 0, 30, 5))
  for (const bad of ['2025-01-01 00:30:05+08:00', '2025-01-01T00:30:05', '1735662605']) expect(parseRfc3339(bad)).toBeNaN()
  expect(PREPAY_VALIDITY_MS).toBe(7_200_000)
})
