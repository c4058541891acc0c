/** CLI flags and environment → EmulatorOptions, with one clear line per bad value (architecture.md §Emulator contract). */
import type { EmulatorOptions } from './context'

export interface CliConfig {
  host: string
  port: number
  options: EmulatorOptions
}

/** A bad option: the CLI prints the message alone and exits 2. */
export class OptionError extends Error {}

const FLAGS: Record<string, string> = {
  '--platform-mode': 'EMULATOR_PLATFORM_MODE',
  '--retry-scale': 'EMULATOR_RETRY_SCALE',
  '--notify-timeout-ms': 'EMULATOR_NOTIFY_TIMEOUT_MS',
  '--state': 'EMULATOR_STATE',
  '--port': 'EMULATOR_PORT',
  '--host': 'EMULATOR_HOST',
  '--signtest-rate': 'EMULATOR_SIGNTEST_RATE',
  '--refund-interval-ms': 'EMULATOR_REFUND_INTERVAL_MS',
  '--min-close-age-ms': 'EMULATOR_MIN_CLOSE_AGE_MS',
  '--cors-origins': 'CORS_ORIGINS',
  '--applyment-auto-ms': 'EMULATOR_APPLYMENT_AUTO_MS',
  '--media-max-bytes': 'EMULATOR_MEDIA_MAX_BYTES',
}

const number = (name: string, raw: string, check: (n: number) => boolean, want: string): number => {
  const n = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(n) || !check(n)) throw new OptionError(`${name}: expected ${want}, got "${raw}"`)
  return n
}

/** Flags win over environment variables; unknown flags are errors. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): CliConfig {
  const values: Record<string, { value: string; name: string }> = {}
  for (const name of Object.values(FLAGS)) if (env[name] !== undefined && env[name] !== '') values[name] = { value: env[name] as string, name }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--help' || arg === '-h') throw new OptionError(`usage: npm run emulator -- ${Object.keys(FLAGS).map((f) => `[${f} <value>]`).join(' ')}`)
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined]
    const name = FLAGS[flag]
    if (!name) throw new OptionError(`unknown option ${arg} (known: ${Object.keys(FLAGS).join(', ')})`)
    const value = inline ?? argv[++i]
    if (value === undefined) throw new OptionError(`${flag}: missing value`)
    values[name] = { value, name: flag }
  }
  const get = (name: string) => values[name]
  const options: EmulatorOptions = {}
  const mode = get('EMULATOR_PLATFORM_MODE')
  if (mode) {
    if (mode.value !== 'publicKey' && mode.value !== 'certificate') throw new OptionError(`${mode.name}: expected publicKey or certificate, got "${mode.value}"`)
    options.platformMode = mode.value
  }
  const scale = get('EMULATOR_RETRY_SCALE')
  if (scale) options.retryScale = number(scale.name, scale.value, (n) => n > 0, 'a positive number')
  const timeout = get('EMULATOR_NOTIFY_TIMEOUT_MS')
  if (timeout) options.notifyTimeoutMs = number(timeout.name, timeout.value, (n) => Number.isInteger(n) && n > 0, 'a positive integer (milliseconds)')
  const rate = get('EMULATOR_SIGNTEST_RATE')
  if (rate) options.signtestRate = number(rate.name, rate.value, (n) => n >= 0 && n <= 1, 'a probability between 0 and 1')
  const auto = get('EMULATOR_APPLYMENT_AUTO_MS')
  if (auto) options.applymentAutoMs = number(auto.name, auto.value, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer (milliseconds, 0 = off)')
  const mediaMax = get('EMULATOR_MEDIA_MAX_BYTES')
  if (mediaMax) options.mediaMaxBytes = number(mediaMax.name, mediaMax.value, (n) => Number.isInteger(n) && n > 0, 'a positive integer (bytes)')
  const interval = get('EMULATOR_REFUND_INTERVAL_MS')
  if (interval) options.refundIntervalMs = number(interval.name, interval.value, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer (milliseconds)')
  const closeAge = get('EMULATOR_MIN_CLOSE_AGE_MS')
  if (closeAge) options.minCloseAgeMs = number(closeAge.name, closeAge.value, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer (milliseconds)')
  const state = get('EMULATOR_STATE')
  if (state) options.statePath = state.value
  const origins = get('CORS_ORIGINS')
  if (origins) {
    options.corsOrigins = origins.value.split(',').map((s) => s.trim()).filter(Boolean)
    for (const o of options.corsOrigins) if (!/^https?:\/\/[^/]+$/.test(o)) throw new OptionError(`${origins.name}: "${o}" is not an origin like http://127.0.0.1:10086`)
  }
  const port = get('EMULATOR_PORT')
  const host = get('EMULATOR_HOST')
  return {
    host: host?.value ?? '127.0.0.1',
    port: port ? number(port.name, port.value, (n) => Number.isInteger(n) && n >= 0 && n < 65536, 'a port number') : 3100,
    options: { ...options, logger: env.EMULATOR_LOG === '1' },
  }
}
