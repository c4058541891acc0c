/**
 * `npm run bench`: every number is measured side by side with its baseline in this one run, and
 * reported as a ratio (these machines are noisy; absolute numbers drift, ratios hold).
 * Prints one table and writes bench/results.json. Sections:
 *   1. signing   2. notification parsing   3. order throughput (+ the cost of a durable commit)
 *   4. notification throughput (against a raw floor), then 3 and 4 again on PostgreSQL (WORKERS=1 and 2)   5. bundle   (+ the emulator's own order rate)
 */
import { writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { benchBundle } from './bundle'
import { benchNotificationParsing, benchSigning } from './crypto'
import { measureCryptoPrimitives } from './crypto-limit'
import { measureDurableCommit } from './commit-limit'
import { benchEmulatorOrders } from './emulator'
import { round } from './measure'
import { benchPostgres } from './postgres'
import { benchNotificationThroughput, benchOrderThroughput } from './throughput'

const QUICK = process.argv.includes('--quick')

interface Row { section: string; measure: string; value: string; baseline: string; ratio: string; target: string; met: string }
const rows: Row[] = []
const row = (r: Partial<Row> & Pick<Row, 'section' | 'measure' | 'value'>) =>
  rows.push({ section: r.section, measure: r.measure, value: r.value, baseline: r.baseline ?? '', ratio: r.ratio ?? '', target: r.target ?? '', met: r.met ?? '' })
const yes = (ok: boolean) => (ok ? 'yes' : 'NO')
const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : String(round(n, 2)))
const kb = (bytes: number) => `${round(bytes / 1024, 1)} KB`

function step(name: string) {
  process.stderr.write(`bench: ${name}…\n`)
}

async function main() {
  const started = Date.now()

  step('1. signing')
  const signing = benchSigning()
  const [raw, signer, paySign, seed] = signing.results
  row({ section: '1 signing', measure: 'library signRequest', value: `${fmt(signer.opsPerSec)} ops/s`, baseline: `raw crypto.sign ${fmt(raw.opsPerSec)}/s`, ratio: `${signing.ratios.signerVsRaw}×`, target: '≥ 0.9×', met: yes(signing.ratios.signerVsRaw >= 0.9) })
  row({ section: '1 signing', measure: 'library paySign', value: `${fmt(paySign.opsPerSec)} ops/s`, baseline: `raw crypto.sign ${fmt(raw.opsPerSec)}/s`, ratio: `${signing.ratios.paySignVsRaw}×`, target: '≥ 0.9×', met: yes(signing.ratios.paySignVsRaw >= 0.9) })
  row({ section: '1 signing', measure: 'library signRequest', value: `${fmt(signer.opsPerSec)} ops/s`, baseline: `seed (jsrsasign + file) ${fmt(seed.opsPerSec)}/s`, ratio: `${signing.ratios.signerVsSeed}×`, target: '≥ 20×', met: yes(signing.ratios.signerVsSeed >= 20) })

  step('2. notification parsing')
  const parsing = benchNotificationParsing()
  row({ section: '2 parse', measure: 'parseNotification', value: `${fmt(parsing.results[1].opsPerSec)} ops/s`, baseline: `raw verify + GCM ${fmt(parsing.results[0].opsPerSec)}/s`, ratio: `${parsing.ratios.parseVsRaw}×` })

  step('crypto limits (raw RSA sign / verify, AES-GCM)')
  const prim = measureCryptoPrimitives()
  // One order: the backend signs the request and the paySign and verifies the answer; the emulator
  // verifies the request and signs the answer. Both processes share the machine's cores.
  const cores = Math.min(2, cpus().length)
  const orderCryptoMs = 3 * (1000 / prim.signPerSec) + 2 * (1000 / prim.verifyPerSec)
  const orderLimit = (cores * 1000) / orderCryptoMs
  // One notification: one verify + one AES-GCM decrypt, in the backend's single process.
  const notifyCryptoMs = 1000 / prim.verifyPerSec + 1000 / prim.gcmPerSec
  const notifyLimit = 1000 / notifyCryptoMs

  step('durable commit (SQLite WAL, synchronous=NORMAL + fdatasync)')
  const commit = measureDurableCommit({ durationMs: QUICK ? 500 : 1500 })
  // One durable commit per order (order + attempt); the gate syncs the WAL on the thread pool, one sync for all commits made meanwhile.
  row({ section: '3 orders', measure: 'durable SQLite commit, synced alone', value: `${commit.wallMs} ms wall, ${commit.cpuMs} ms CPU`, baseline: `ungrouped: ≤ ${fmt(1000 / commit.wallMs)} commits/s; grouped, off the event loop` })

  step('3. order throughput (backend + emulator processes, autocannon)')
  const orders = await benchOrderThroughput({ durationMs: QUICK ? 3000 : 8000, connections: 16 })
  const orderRatio = orders.ordersPerSec / orderLimit
  row({ section: '3 orders', measure: 'POST /api/orders', value: `${fmt(orders.ordersPerSec)} orders/s`, baseline: `crypto limit ${fmt(orderLimit)}/s (${cores} cores)`, ratio: `${round(orderRatio, 3)}×`, target: '≥ 0.5×', met: yes(orderRatio >= 0.5) })
  row({ section: '3 orders', measure: 'latency p50 / p99', value: `${orders.p50Ms} / ${orders.p99Ms} ms`, target: 'p99 < 100 ms', met: yes(orders.p99Ms < 100) })
  row({ section: '3 orders', measure: 'CPU per order', value: `backend ${orders.cpuMsPerOrder.backend} ms, emulator ${orders.cpuMsPerOrder.emulator} ms, load ${orders.cpuMsPerOrder.loadGenerator} ms`, baseline: `crypto ${round(orderCryptoMs, 3)} ms` })
  // Cores each process kept busy: shows whether the backend (one thread) or the shared machine ran out first.
  const busy = (ms: number | null) => (ms === null ? '?' : String(round((ms * orders.ordersPerSec) / 1000, 2)))
  row({ section: '3 orders', measure: 'cores busy', value: `backend ${busy(orders.cpuMsPerOrder.backend)}, emulator ${busy(orders.cpuMsPerOrder.emulator)}, load ${busy(orders.cpuMsPerOrder.loadGenerator)}`, baseline: `whole machine ${orders.machineCoresBusy ?? '?'} of ${cpus().length} cores` })
  row({ section: '3 orders', measure: 'backend RSS / errors', value: `${orders.backendRssMb ?? '?'} MB / ${orders.non2xx} non-2xx` })

  step('4. notification throughput (half duplicates)')
  const notes = await benchNotificationThroughput({ orders: QUICK ? 500 : 1500, connections: 16 })
  const noteRatio = notes.perSec / notifyLimit
  row({ section: '4 notify', measure: 'POST /api/wechatpay/notify', value: `${fmt(notes.perSec)} /s`, baseline: `crypto limit ${fmt(notifyLimit)}/s (1 process)`, ratio: `${round(noteRatio, 3)}×` })
  row({ section: '4 notify', measure: 'vs raw floor (verify + decrypt + 1 insert)', value: `${fmt(notes.perSec)} /s`, baseline: `floor ${fmt(notes.floor.perSec)}/s (SQLite WAL, group commit)`, ratio: `${notes.floor.ratio}×`, target: '≥ 0.5×', met: yes(notes.floor.ratio >= 0.5) })
  row({ section: '4 notify', measure: 'CPU per post', value: `backend ${notes.cpuMsPerPost} ms`, baseline: `floor ${notes.floor.cpuMsPerPost} ms` })
  row({ section: '4 notify', measure: 'each order changed state exactly once', value: `${notes.exactlyOnce} (${notes.orders} orders, ${notes.posts} posts)`, met: yes(notes.exactlyOnce) })
  row({ section: '4 notify', measure: 'posts not answered 204 (WeChat Pay retries them)', value: String(notes.failedPosts), target: '0', met: yes(notes.failedPosts === 0) })

  const pgBench = await benchPostgres({ durationMs: QUICK ? 3000 : 8000, notifyOrders: QUICK ? 500 : 1500, step })
  for (const o of pgBench.orders) {
    const section = `3 orders PG w${o.workers}`
    const ratio = o.ordersPerSec / orderLimit
    row({ section, measure: `POST /api/orders, PostgreSQL, WORKERS=${o.workers}`, value: `${fmt(o.ordersPerSec)} orders/s`, baseline: `SQLite ${fmt(orders.ordersPerSec)}/s; crypto limit ${fmt(orderLimit)}/s`, ratio: `${round(ratio, 3)}× (${round(o.ordersPerSec / orders.ordersPerSec, 2)}× SQLite)`, target: '≥ 0.5×', met: yes(ratio >= 0.5) })
    row({ section, measure: 'latency p50 / p99', value: `${o.p50Ms} / ${o.p99Ms} ms`, baseline: `SQLite ${orders.p50Ms} / ${orders.p99Ms} ms`, target: 'p99 < 100 ms', met: yes(o.p99Ms < 100) })
    row({ section, measure: `backend CPU per order (${o.workers === 1 ? '1 process' : `primary + ${o.workers} workers`})`, value: `${o.cpuMsPerOrder.backend} ms`, baseline: `SQLite ${orders.cpuMsPerOrder.backend} ms`, ratio: o.cpuMsPerOrder.backend && orders.cpuMsPerOrder.backend ? `${round(o.cpuMsPerOrder.backend / orders.cpuMsPerOrder.backend, 2)}×` : '', target: '≤ 1.2 ms', met: yes((o.cpuMsPerOrder.backend ?? 99) <= 1.2) })
    row({ section, measure: 'PostgreSQL server CPU per order', value: `${o.cpuMsPerOrder.postgres} ms`, baseline: `emulator ${o.cpuMsPerOrder.emulator} ms, load ${o.cpuMsPerOrder.loadGenerator} ms, machine ${o.machineCoresBusy ?? '?'} cores busy` })
  }
  const pgNotes = pgBench.notifications
  row({ section: '4 notify PG', measure: 'POST /api/wechatpay/notify, PostgreSQL', value: `${fmt(pgNotes.perSec)} /s`, baseline: `floor ${fmt(pgNotes.floor.perSec)}/s (PostgreSQL insert, same server, fsync + synchronous_commit on)`, ratio: `${pgNotes.floor.ratio}×`, target: '≥ 0.5×', met: yes(pgNotes.floor.ratio >= 0.5) })
  row({ section: '4 notify PG', measure: 'CPU per post', value: `backend ${pgNotes.cpuMsPerPost} ms, PostgreSQL ${pgNotes.postgresCpuMsPerPost.backend} ms`, baseline: `floor ${pgNotes.floor.cpuMsPerPost} ms, PostgreSQL ${pgNotes.postgresCpuMsPerPost.floor} ms` })
  row({ section: '4 notify PG', measure: 'each order changed state exactly once', value: `${pgNotes.exactlyOnce} (${pgNotes.orders} orders, ${pgNotes.posts} posts)`, met: yes(pgNotes.exactlyOnce) })
  row({ section: '4 notify PG', measure: 'posts not answered 204 (500: SERIALIZABLE retries used up; WeChat Pay retries them)', value: String(pgNotes.failedPosts), target: '0', met: yes(pgNotes.failedPosts === 0) })

  step('emulator order rate')
  const emulator = await benchEmulatorOrders({ durationMs: QUICK ? 2000 : 5000 })
  row({ section: 'emulator', measure: 'JSAPI orders', value: `${fmt(emulator.ordersPerSec)} orders/s`, baseline: `RSA ${emulator.rsaMsPerOrder} ms/order`, ratio: `RSA ${round(emulator.rsaShare * 100, 1)}% of wall time` })

  step('5. bundle (weapp vs default Taro template, H5)')
  const bundle = await benchBundle()
  row({ section: '5 bundle', measure: 'weapp dist/', value: kb(bundle.weapp.totalBytes), baseline: `default template ${kb(bundle.baseline.totalBytes)}`, ratio: `${round(bundle.ratio, 3)}×`, target: '≤ 1.35×', met: yes(bundle.ratio <= 1.35) })
  row({ section: '5 bundle', measure: 'H5 JS (gzip -9)', value: kb(bundle.h5.jsGzipBytes), baseline: `${kb(bundle.h5.jsBytes)} raw` })

  const seconds = round((Date.now() - started) / 1000, 1)
  const widths = (Object.keys(rows[0]) as Array<keyof Row>).map((k) => Math.max(k.length, ...rows.map((r) => r[k].length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ')
  process.stdout.write(`${line(Object.keys(rows[0]))}\n${line(widths.map((w) => '-'.repeat(w)))}\n`)
  for (const r of rows) process.stdout.write(`${line(Object.values(r))}\n`)
  process.stdout.write(`\nweapp files: ${bundle.weapp.files.slice(0, 8).map((f) => `${f.file} ${kb(f.bytes)}`).join(', ')}\n`)
  process.stdout.write(`bench finished in ${seconds} s on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'})\n`)

  const results = {
    at: new Date().toISOString(),
    node: process.version,
    cores: cpus().length,
    seconds,
    signing: { ...signing, results: signing.results.map(({ name, opsPerSec }) => ({ name, opsPerSec: round(opsPerSec) })) },
    notificationParsing: { ...parsing, results: parsing.results.map(({ name, opsPerSec }) => ({ name, opsPerSec: round(opsPerSec) })) },
    cryptoPrimitives: { signPerSec: round(prim.signPerSec), verifyPerSec: round(prim.verifyPerSec), gcmPerSec: round(prim.gcmPerSec) },
    durableCommit: commit,
    orders: { ...orders, windowUs: undefined, cryptoMsPerOrder: round(orderCryptoMs, 3), limitPerSec: round(orderLimit), ratio: round(orderRatio, 3) },
    notifications: { ...notes, cryptoMsPerNotification: round(notifyCryptoMs, 4), limitPerSec: round(notifyLimit), ratio: round(noteRatio, 3) },
    postgres: { settings: pgBench.settings, orders: pgBench.orders.map((o) => ({ ...o, windowUs: undefined, ratio: round(o.ordersPerSec / orderLimit, 3) })), notifications: pgBench.notifications },
    emulator,
    bundle: { weappBytes: bundle.weapp.totalBytes, baselineBytes: bundle.baseline.totalBytes, ratio: round(bundle.ratio, 3), h5JsBytes: bundle.h5.jsBytes, h5JsGzipBytes: bundle.h5.jsGzipBytes, weappFiles: bundle.weapp.files },
    table: rows,
  }
  writeFileSync(join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`)
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})
