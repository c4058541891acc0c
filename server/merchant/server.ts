import { buildApp } from './app'
import { isClusterWorker, runPrimary } from './cluster'
import { loadConfig, readEnvFiles } from './config'
import { ConfigError } from './errors'
import { openStorage } from './storage'

/** `npm run server`: the merchant backend on HOST:PORT (127.0.0.1:3000) with config from env / .env.local / .env; WORKERS=n runs n processes (cluster.ts). */
async function main() {
  let config
  try {
    config = loadConfig(readEnvFiles())
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`config error: ${e.message}`)
      process.exit(1)
    }
    throw e
  }
  if (config.workers > 1 && !isClusterWorker()) {
    // Opened (and migrated) once before forking: a database that cannot be used is one line, not one per worker.
    await (await openStorage(config.databaseUrl)).close()
    return runPrimary({ workers: config.workers })
  }
  const app = await buildApp({ config })
  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down')
    await app.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  await app.listen({ port: config.port, host: config.host })
}

void main().catch((e) => {
  console.error(e instanceof Error ? e.message : e)
  process.exit(1)
})
