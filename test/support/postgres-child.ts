// Run by test/support/postgres-server.ts as `node --import tsx`: starts an embedded PostgreSQL,
// prints `{"url": …}` on one line, and stops it when stdin closes (the test ended or died) or on SIGTERM.
import { startEmbeddedPostgres } from '../../scripts/embedded-postgres'

void (async () => {
  const server = await startEmbeddedPostgres({ fast: true })
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`)
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    void server.stop().finally(() => process.exit(0))
  }
  process.stdin.on('end', stop)
  process.stdin.on('error', stop)
  process.stdin.resume()
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
})().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e))
  process.exit(1)
})
