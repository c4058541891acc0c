// Issue 12: WORKERS=<n> runs `npm run server` as n processes sharing one port (server/merchant/cluster.ts).
// On SQLite it is refused with one line; on PostgreSQL a worker that dies is replaced, and SIGTERM
// to the primary stops every worker.
import { readFileSync } from 'node:fs'
import { restartDelayMs, MAX_RESTART_DELAY_MS } from '../../server/merchant/cluster'
import { backendProcess, type BackendProcess } from '../support/backend-process'
import { freshPostgresDatabase } from '../support/database'
import { postgresServerForSuite } from '../support/postgres-server'
import { registerMerchant, startEmulator, type EmulatorHandle, type TestMerchant } from '../support/emulator'
import { waitFor } from './helpers'

let emu: EmulatorHandle
let merchant: TestMerchant
const postgresServer = postgresServerForSuite()
const procs: BackendProcess[] = []

beforeAll(async () => {
  emu = await startEmulator()
  merchant = await registerMerchant(emu)
})
afterAll(async () => {
  for (const p of procs) p.cleanup()
  await emu?.close()
})

/** The live child processes of `pid` (Linux: the main thread's children file). */
const childrenOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

test('restarts back off: at once after a healthy life, then 0.5 s, 1 s, 2 s … up to 30 s', () => {
  expect([0, 1, 2, 3, 4].map(restartDelayMs)).toEqual([0, 500, 1000, 2000, 4000])
  expect(restartDelayMs(30)).toBe(MAX_RESTART_DELAY_MS)
})

test('WORKERS=2 on SQLite stops start-up with one line saying why', async () => {
  const proc = await backendProcess(emu, merchant, { WORKERS: '2' })
  procs.push(proc)
  await expect(proc.start()).rejects.toThrow(/backend exited/)
  const lines = proc.stderr().trim().split('\n')
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(/^config error: WORKERS is 2 but DATABASE_URL is SQLite, which serves one process: one file with one writer/)
}, 60_000)

test('WORKERS=2 on PostgreSQL: two workers share the port, a killed worker is replaced, SIGTERM stops them all', async () => {
  const proc = await backendProcess(emu, merchant, { WORKERS: '2', DATABASE_URL: await freshPostgresDatabase(postgresServer()) })
  procs.push(proc)
  await proc.start()
  const primary = proc.pid() as number
  const workers = await waitFor(() => {
    const pids = childrenOf(primary)
    return pids.length === 2 && pids
  }, 'two workers')

  process.kill(workers[0], 'SIGKILL')
  const replaced = await waitFor(() => {
    const pids = childrenOf(primary)
    return pids.length === 2 && !pids.includes(workers[0]) && pids
  }, 'the killed worker replaced', 20_000)
  expect(replaced).toContain(workers[1])
  await waitFor(async () => (await fetch(`${proc.url}/healthz`)).ok, 'the backend answering')

  const ended = await proc.stop('SIGTERM')
  expect(ended).toEqual({ code: 0, signal: null })
  for (const pid of replaced) expect(() => process.kill(pid, 0)).toThrow()
}, 120_000)
