/**
 * The raw notification floor of section 4: a bare `node:http` handler that does what no real
 * handler can skip — verify the signature over the raw bytes, decrypt the resource (AES-256-GCM),
 * and make one durable insert — and nothing else. It runs as its own process, like the backend,
 * and is fed the same posts in the same run; the backend's rate is reported against it.
 *
 * The insert sits behind `FloorSink`: `sqlite` uses the backend's engine settings (WAL,
 * synchronous=NORMAL, busy timeout, the backend's gate: group commit, the WAL synced off the loop); `postgres` an autocommit insert through a pool with the server's
 * own durability (the bench's server: fsync on, synchronous_commit on). Another engine is one more entry in FLOOR_SINKS (its URL
 * scheme) and nothing else.
 *
 * Child process: `node --import tsx bench/notify-floor.ts --serve` with FLOOR_DATABASE_URL,
 * FLOOR_PUBLIC_KEY_PATH, FLOOR_PUBLIC_KEY_ID, FLOOR_APIV3_KEY; prints `floor on http://…`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createDecipheriv, createPublicKey, verify, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import pg from 'pg'
import { openSqliteConnection } from '../server/merchant/storage/sqlite'
import { listening } from './emulator'

/** One verified, decrypted notification, as the floor stores it. */
export interface FloorRow {
  eventId: string
  eventType: string
  outTradeNo: string
  transactionId: string
  amount: number
  receivedAt: number
}

/** Where the floor's one durable insert goes. */
export interface FloorSink {
  insert(row: FloorRow): void | Promise<void>
  close(): void | Promise<void>
}

/**
 * SQLite with the backend's connection (server/merchant/storage/sqlite.ts openSqliteConnection:
 * same settings, same gate): one autocommit insert per notification, answered once the WAL sync
 * that covers it is done.
 */
export function sqliteFloorSink(databaseUrl: string): FloorSink {
  const { db, gate } = openSqliteConnection(databaseUrl)
  db.exec(`CREATE TABLE IF NOT EXISTS floor_notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, event_type TEXT NOT NULL,
    out_trade_no TEXT NOT NULL, transaction_id TEXT NOT NULL, amount INTEGER NOT NULL, received_at INTEGER NOT NULL)`)
  const insert = db.prepare('INSERT INTO floor_notifications (event_id, event_type, out_trade_no, transaction_id, amount, received_at) VALUES (?, ?, ?, ?, ?, ?)')
  return {
    insert: async (r) => void (await gate.run(() => insert.run(r.eventId, r.eventType, r.outTradeNo, r.transactionId, r.amount, r.receivedAt))),
    close: async () => {
      await gate.close()
      db.close()
    },
  }
}

/** PostgreSQL: one autocommit INSERT per notification (a prepared statement) through a pool as large as the backend's; durability is the server's (synchronous_commit). */
export function postgresFloorSink(databaseUrl: string): FloorSink {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 })
  const ready = pool.query(`CREATE TABLE IF NOT EXISTS floor_notifications (
    id BIGSERIAL PRIMARY KEY, event_id TEXT NOT NULL, event_type TEXT NOT NULL,
    out_trade_no TEXT NOT NULL, transaction_id TEXT NOT NULL, amount BIGINT NOT NULL, received_at BIGINT NOT NULL)`)
  const text = 'INSERT INTO floor_notifications (event_id, event_type, out_trade_no, transaction_id, amount, received_at) VALUES ($1, $2, $3, $4, $5, $6)'
  return {
    insert: async (r) => {
      await ready
      await pool.query({ name: 'floor_insert', text, values: [r.eventId, r.eventType, r.outTradeNo, r.transactionId, r.amount, r.receivedAt] })
    },
    close: () => pool.end(),
  }
}

/** Sinks by DATABASE_URL scheme. */
export const FLOOR_SINKS: Record<string, (databaseUrl: string) => FloorSink> = {
  sqlite: sqliteFloorSink,
  postgres: postgresFloorSink,
  postgresql: postgresFloorSink,
}

export interface FloorKeys {
  publicKey: KeyObject
  publicKeyId: string
  apiV3Key: Buffer
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)
const NL = Buffer.from('\n')

/** Verify + decrypt + insert, or the status to answer. Same checks as the backend: serial, 5-minute window, RSA signature, GCM tag. */
export async function floorHandle(headers: Record<string, string | string[] | undefined>, body: Buffer, keys: FloorKeys, sink: FloorSink): Promise<number> {
  const timestamp = first(headers['wechatpay-timestamp'])
  const nonce = first(headers['wechatpay-nonce'])
  const signature = first(headers['wechatpay-signature'])
  if (!timestamp || !nonce || !signature || first(headers['wechatpay-serial']) !== keys.publicKeyId) return 401
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return 401
  const message = Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`), body, NL])
  if (!verify('sha256', message, keys.publicKey, Buffer.from(signature, 'base64'))) return 401
  const envelope = JSON.parse(body.toString('utf8')) as { id: string; event_type: string; resource: { ciphertext: string; nonce: string; associated_data?: string } }
  const sealed = Buffer.from(envelope.resource.ciphertext, 'base64')
  const decipher = createDecipheriv('aes-256-gcm', keys.apiV3Key, Buffer.from(envelope.resource.nonce))
  decipher.setAAD(Buffer.from(envelope.resource.associated_data ?? ''))
  decipher.setAuthTag(sealed.subarray(sealed.length - 16))
  const plain = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()])
  const t = JSON.parse(plain.toString('utf8')) as { out_trade_no: string; transaction_id: string; amount: { total: number } }
  await sink.insert({ eventId: envelope.id, eventType: envelope.event_type, outTradeNo: t.out_trade_no, transactionId: t.transaction_id, amount: t.amount.total, receivedAt: Date.now() })
  return 204
}

/** The floor server: one handler, no framework. */
function serve() {
  const url = process.env.FLOOR_DATABASE_URL ?? ''
  const make = FLOOR_SINKS[url.split(':')[0]]
  if (!make) throw new Error(`FLOOR_DATABASE_URL: no floor sink for "${url.split(':')[0]}"`)
  const sink = make(url)
  const keys: FloorKeys = {
    publicKey: createPublicKey(readFileSync(process.env.FLOOR_PUBLIC_KEY_PATH ?? '', 'utf8')),
    publicKeyId: process.env.FLOOR_PUBLIC_KEY_ID ?? '',
    apiV3Key: Buffer.from(process.env.FLOOR_APIV3_KEY ?? '', 'utf8'),
  }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      floorHandle(req.headers, Buffer.concat(chunks), keys, sink).then(
        (status) => res.writeHead(status).end(),
        () => res.writeHead(400).end(),
      )
    })
  })
  server.listen(0, '127.0.0.1', () => {
    const a = server.address()
    process.stdout.write(`floor on http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}\n`)
  })
  process.once('SIGTERM', () => server.close(() => void Promise.resolve(sink.close()).then(() => process.exit(0))))
}

/** Starts the floor as its own process; resolves once it listens. */
export function startFloorProcess(env: { databaseUrl: string; publicKeyPath: string; publicKeyId: string; apiV3Key: string }): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'notify-floor.ts'), '--serve'], {
    env: { PATH: process.env.PATH ?? '', FLOOR_DATABASE_URL: env.databaseUrl, FLOOR_PUBLIC_KEY_PATH: env.publicKeyPath, FLOOR_PUBLIC_KEY_ID: env.publicKeyId, FLOOR_APIV3_KEY: env.apiV3Key },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return listening(child, 'notification floor', /floor on (http:\/\/[\d.]+:\d+)/)
}

/** Posts every notification to `url` over `connections` concurrent callers; returns seconds taken and the non-204 count. */
export async function postNotifications(url: string, posts: Array<{ headers: Record<string, string>; body: string }>, connections: number): Promise<{ seconds: number; failed: number }> {
  let next = 0
  let failed = 0
  const started = process.hrtime.bigint()
  await Promise.all(Array.from({ length: connections }, async () => {
    while (next < posts.length) {
      const p = posts[next++]
      const res = await fetch(url, { method: 'POST', headers: p.headers, body: p.body })
      await res.arrayBuffer()
      if (res.status !== 204) { failed++; if (process.env.BENCH_DEBUG) process.stderr.write(`post ${res.status} ${await res.text().catch(() => "")}\n`) }
    }
  }))
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, failed }
}

if (process.argv.includes('--serve')) serve()
