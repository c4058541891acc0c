import { buildApp } from './app'
import { loadConfig, readEnvFiles } from './config'
import { ConfigError } from './errors'

/** `npm run server`: the merchant backend on HOST:PORT (127.0.0.1:3000) with config from env / .env.local / .env. */
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
  const app = await buildApp({ config })
  const shutdown = async (signal: string) => {
    app.log.info({ signal }, 'shutting down')
    await app.close()
    process.exit(0)
  }
  process.once('SIGINT', () => void shutdown('SIGINT'))
  process.once('SIGTERM', () => void shutdown('SIGTERM'))
  await app.listen({ port: config.port, host: config.host })
}

void main().catch((e) => {
  console.error(e instanceof Error ? e.message : e)
  process.exit(1)
})
