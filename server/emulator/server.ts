/** `npm run emulator`: the WeChat Pay v3 emulator on EMULATOR_PORT (3100); see README.md for options. */
import { buildEmulator } from './app'
import { OptionError, parseOptions } from './options'

async function main(): Promise<void> {
  let config
  try {
    config = parseOptions(process.argv.slice(2), process.env)
  } catch (e) {
    if (e instanceof OptionError) {
      process.stderr.write(`emulator: ${e.message}\n`)
      process.exit(2)
    }
    throw e
  }
  let app
  try {
    app = buildEmulator(config.options)
    await app.listen({ host: config.host, port: config.port })
  } catch (e) {
    process.stderr.write(`emulator: ${(e as Error).message.split('\n')[0]}\n`)
    process.exit(1)
  }
  const platform = app.emulator.ctx.defaultPlatform()
  const { retryScale } = app.emulator.ctx.options
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  process.stdout.write(
    `WeChat Pay v3 emulator on http://${config.host}:${port} (platform ${platform.mode} ${platform.serialNo}, retry scale ${retryScale}${config.options.statePath ? `, state ${config.options.statePath}` : ', memory state'})\n`,
  )
  const stop = () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((e: unknown) => {
  process.stderr.write(`emulator: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`)
  process.exit(1)
})
