/** jest globalTeardown of the `postgres` project: stops the embedded PostgreSQL and removes its data. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.embeddedPostgres?.stop()
  globalThis.embeddedPostgres = undefined
}
