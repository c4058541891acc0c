/**
 * jest globalSetup of the `postgres` project: one embedded PostgreSQL for the whole run, its URL in
 * TEST_POSTGRES_URL (workers inherit it), and a migrated template database (TEST_POSTGRES_TEMPLATE)
 * each test's fresh database is copied from (test/support/database.ts), so no test waits for the
 * migrations. Durability is off: the server and its data die with the run.
 */
import { createDatabase, startEmbeddedPostgres, type EmbeddedPostgres } from '../../scripts/embedded-postgres'
import { openStorage } from '../../server/merchant/storage'

const TEMPLATE = 'test_template'

declare global {
  // Read by the globalTeardown, which runs in the same process.
  // eslint-disable-next-line no-var
  var embeddedPostgres: EmbeddedPostgres | undefined
}

export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_POSTGRES_URL) return // an outer runner (or a real server) already provides one
  const started = Date.now()
  globalThis.embeddedPostgres = await startEmbeddedPostgres({ fast: true })
  const url = globalThis.embeddedPostgres.url
  const templateUrl = await createDatabase(url, TEMPLATE)
  // Migrated once here; closed, so nothing is connected to it when tests copy it.
  await (await openStorage(templateUrl)).close()
  process.env.TEST_POSTGRES_URL = url
  process.env.TEST_POSTGRES_TEMPLATE = TEMPLATE
  if (process.env.TEST_POSTGRES_TIMING) console.log(`\nembedded PostgreSQL up in ${Date.now() - started} ms`)
}
