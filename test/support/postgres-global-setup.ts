/**
 * jest globalSetup of the `postgres` project: one embedded PostgreSQL for the whole run, its URL in
 * TEST_POSTGRES_URL (workers inherit it); each test then creates its own database on it
 * (test/support/database.ts). Durability is off: the server and its data die with the run.
 */
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../scripts/embedded-postgres'

declare global {
  // Read by the globalTeardown, which runs in the same process.
  // eslint-disable-next-line no-var
  var embeddedPostgres: EmbeddedPostgres | undefined
}

export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_POSTGRES_URL) return // an outer runner (or a real server) already provides one
  const started = Date.now()
  globalThis.embeddedPostgres = await startEmbeddedPostgres({ fast: true })
  process.env.TEST_POSTGRES_URL = globalThis.embeddedPostgres.url
  if (process.env.TEST_POSTGRES_TIMING) console.log(`\nembedded PostgreSQL up in ${Date.now() - started} ms`)
}
