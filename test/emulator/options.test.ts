/** CLI options and environment (architecture.md §Emulator contract): defaults, precedence, one-line errors. */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { OptionError, parseOptions } from '../../server/emulator/options'

test('defaults: 127.0.0.1:3100, everything else left to buildEmulator', () => {
  expect(parseOptions([], {})).toEqual({ host: '127.0.0.1', port: 3100, options: { logger: false } })
})

test('environment, overridden by flags', () => {
  const env = { EMULATOR_PLATFORM_MODE: 'certificate', EMULATOR_RETRY_SCALE: '0.5', EMULATOR_NOTIFY_TIMEOUT_MS: '2000', EMULATOR_STATE: '/tmp/s.json', EMULATOR_PORT: '3200', CORS_ORIGINS: 'http://127.0.0.1:10086, https://shop.example.com' }
  expect(parseOptions([], env)).toEqual({
    host: '127.0.0.1',
    port: 3200,
    options: { platformMode: 'certificate', retryScale: 0.5, notifyTimeoutMs: 2000, statePath: '/tmp/s.json', corsOrigins: ['http://127.0.0.1:10086', 'https://shop.example.com'], logger: false },
  })
  expect(parseOptions(['--retry-scale', '0.01', '--platform-mode=publicKey', '--port', '0'], env).options).toMatchObject({ retryScale: 0.01, platformMode: 'publicKey' })
  expect(parseOptions(['--refund-interval-ms', '0'], { EMULATOR_MIN_CLOSE_AGE_MS: '1000', EMULATOR_REFUND_INTERVAL_MS: '5' }).options).toMatchObject({ refundIntervalMs: 0, minCloseAgeMs: 1000 })
})

test.each([
  [['--retry-scale', 'abc'], '--retry-scale: expected a positive number, got "abc"'],
  [['--retry-scale', '0'], '--retry-scale: expected a positive number, got "0"'],
  [['--platform-mode', 'cert'], '--platform-mode: expected publicKey or certificate, got "cert"'],
  [['--notify-timeout-ms', '1.5'], '--notify-timeout-ms: expected a positive integer (milliseconds), got "1.5"'],
  [['--port', '70000'], '--port: expected a port number, got "70000"'],
  [['--signtest-rate', '2'], '--signtest-rate: expected a probability between 0 and 1, got "2"'],
  [['--state'], '--state: missing value'],
  [['--min-close-age-ms', '-1'], '--min-close-age-ms: expected a non-negative integer (milliseconds), got "-1"'],
  [['--refund-interval-ms', '1m'], '--refund-interval-ms: expected a non-negative integer (milliseconds), got "1m"'],
  [['--verbose'], expect.stringMatching(/^unknown option --verbose/)],
])('%j is refused: %s', (argv, message) => {
  let error: unknown
  try {
    parseOptions(argv, {})
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(OptionError)
  expect((error as Error).message).toEqual(message)
})

test('an environment value is named by its variable', () => {
  expect(() => parseOptions([], { EMULATOR_RETRY_SCALE: 'fast' })).toThrow('EMULATOR_RETRY_SCALE: expected a positive number, got "fast"')
})

test('the CLI prints one line and exits 2 on a bad option', () => {
  const tsx = join(__dirname, '../../node_modules/.bin/tsx')
  const r = spawnSync(tsx, [join(__dirname, '../../server/emulator/server.ts'), '--retry-scale', 'abc'], { encoding: 'utf8', timeout: 30_000 })
  expect(r.status).toBe(2)
  expect(r.stderr).toBe('emulator: --retry-scale: expected a positive number, got "abc"\n')
  expect(r.stdout).toBe('')
})
