/**
 * The raw notification floor of `npm run bench` (bench/notify-floor.ts) must be an honest floor:
 * it checks what the backend checks (serial, 5-minute window, RSA signature, GCM tag) and makes one
 * durable insert with the backend's engine settings, so the backend's ratio against it means something.
 */
import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { floorHandle, sqliteFloorSink, type FloorKeys, type FloorRow } from '../../bench/notify-floor'
import { buildNotification, rfc3339 } from '../../server/wechatpay'

const platformKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
const apiV3Key = 'F'.repeat(32)
const keys: FloorKeys = { publicKey: createPublicKey(platformKey), publicKeyId: 'PUB_KEY_ID_0119000001092025010100000001', apiV3Key: Buffer.from(apiV3Key) }
const plaintext = JSON.stringify({ out_trade_no: 'N1_1', transaction_id: '4200000000000000000000000001', trade_state: 'SUCCESS', amount: { total: 100 } })
const notification = (o: { serial?: string; clock?: () => number } = {}) =>
  buildNotification({ id: randomUUID(), createTime: rfc3339(Date.now()), eventType: 'TRANSACTION.SUCCESS', summary: '支付成功', originalType: 'transaction', plaintext }, apiV3Key, { serial: o.serial ?? keys.publicKeyId, privateKey: platformKey, clock: o.clock })
const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]))

function memorySink() {
  const rows: FloorRow[] = []
  return { rows, insert: (r: FloorRow) => void rows.push(r), close: () => undefined }
}

test('a genuine notification is verified, decrypted and inserted once', async () => {
  const sink = memorySink()
  const n = notification()
  expect(await floorHandle(lower(n.headers), Buffer.from(n.body), keys, sink)).toBe(204)
  expect(sink.rows).toEqual([expect.objectContaining({ eventType: 'TRANSACTION.SUCCESS', outTradeNo: 'N1_1', transactionId: '4200000000000000000000000001', amount: 100 })])
})

test('forged, stale, unknown-key and tampered notifications are refused and nothing is inserted', async () => {
  const sink = memorySink()
  const n = notification()
  const tamperedBody = n.body.replace('"TRANSACTION.SUCCESS"', '"TRANSACTION.SUCCESX"')
  expect(await floorHandle(lower(n.headers), Buffer.from(tamperedBody), keys, sink)).toBe(401)
  const stale = notification({ clock: () => Date.now() - 10 * 60_000 })
  expect(await floorHandle(lower(stale.headers), Buffer.from(stale.body), keys, sink)).toBe(401)
  const other = notification({ serial: 'PUB_KEY_ID_0119000001092025010100000002' })
  expect(await floorHandle(lower(other.headers), Buffer.from(other.body), keys, sink)).toBe(401)
  const { 'wechatpay-signature': _dropped, ...unsigned } = lower(n.headers)
  expect(await floorHandle(unsigned, Buffer.from(n.body), keys, sink)).toBe(401)
  // Signed correctly but sealed with another APIv3 key: the GCM tag fails.
  const wrongKey = { ...keys, apiV3Key: Buffer.from('G'.repeat(32)) }
  await expect(floorHandle(lower(n.headers), Buffer.from(n.body), wrongKey, sink)).rejects.toThrow()
  expect(sink.rows).toHaveLength(0)
})

test('the SQLite sink writes a WAL database and keeps every row', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'floor-test-'))
  try {
    const sink = sqliteFloorSink(`sqlite:${join(dir, 'floor.db')}`)
    for (let i = 0; i < 3; i++) {
      const n = notification()
      expect(await floorHandle(lower(n.headers), Buffer.from(n.body), keys, sink)).toBe(204)
    }
    await sink.close()
    const db = new Database(join(dir, 'floor.db'))
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect((db.prepare('SELECT COUNT(*) AS n FROM floor_notifications').get() as { n: number }).n).toBe(3)
    db.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
