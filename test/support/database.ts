/**
 * The database a test stores in. SQLite in memory by default; with TEST_DATABASE=postgres (the
 * `postgres` jest project) a fresh PostgreSQL database per call, on the server the project's
 * globalSetup started (TEST_POSTGRES_URL), so tests never see each other's rows.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'

export type TestEngine = 'sqlite' | 'postgres'

/** The engine the current jest project tests (TEST_DATABASE). */
export function testEngine(): TestEngine {
  return process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite'
}

let admin: Promise<pg.Client> | undefined
let created = 0

/** One connection per worker to the server's maintenance database, for CREATE DATABASE. */
function adminClient(serverUrl: string): Promise<pg.Client> {
  admin ??= (async () => {
    const client = new pg.Client({ connectionString: serverUrl })
    client.on('error', () => {
      admin = undefined
    })
    await client.connect()
    return client
  })()
  return admin
}

/**
 * Creates a database on the PostgreSQL server at serverUrl and returns its URL: a copy of the run's
 * migrated template (TEST_POSTGRES_TEMPLATE) when there is one, or an empty one (`empty`).
 */
export async function freshPostgresDatabase(serverUrl: string, options: { empty?: boolean } = {}): Promise<string> {
  const name = `test_${process.pid}_${++created}_${randomBytes(3).toString('hex')}`
  const template = process.env.TEST_POSTGRES_TEMPLATE
  const from = template && !options.empty && serverUrl === process.env.TEST_POSTGRES_URL ? ` TEMPLATE ${template}` : ''
  await (await adminClient(serverUrl)).query(`CREATE DATABASE ${name}${from}`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}

/** The run's PostgreSQL server (TEST_POSTGRES_URL); throws outside the `postgres` project. */
export function testPostgresServerUrl(): string {
  const url = process.env.TEST_POSTGRES_URL
  if (!url) throw new Error('TEST_POSTGRES_URL is not set: run PostgreSQL suites through the jest project "postgres" (its globalSetup starts the server)')
  return url
}

/** A DATABASE_URL for one test: `sqlite::memory:`, or a fresh PostgreSQL database (TEST_DATABASE=postgres). */
export async function testDatabaseUrl(): Promise<string> {
  if (testEngine() === 'sqlite') return 'sqlite::memory:'
  return freshPostgresDatabase(testPostgresServerUrl())
}

/** Ends this worker's maintenance connection (a suite that stops its own server calls it first). */
export async function closeAdminClient(): Promise<void> {
  const client = admin
  admin = undefined
  if (client) await (await client.catch(() => undefined))?.end().catch(() => undefined)
}
