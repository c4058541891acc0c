// Guards `npm run build:weapp`: a production mini-program build must talk to a real merchant
// backend over https and pay with the real Taro.requestPayment, never the in-app mock backend
// or the simulated pay sheet. Prints one line saying why and exits 1 otherwise.
//
// Values are resolved exactly as Taro resolves them (the same @tarojs/helper dotenvParse over
// .env, .env.local, .env.<mode>, .env.<mode>.local; a variable set in the shell wins).
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const { dotenvParse } = require('@tarojs/helper')

const PAY_MODES = ['wechat', 'emulator', 'simulated']
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** Stops the build with one line naming the problem. */
function refuse(reason) {
  process.stderr.write(`check-build-env: refusing the production weapp build: ${reason}\n`)
  process.exit(1)
}

/** Prints one warning line; the build goes on. */
function warn(message) {
  process.stderr.write(`check-build-env: warning: ${message}\n`)
}

// `taro build` without --watch is a production build unless NODE_ENV says otherwise.
const mode = process.env.NODE_ENV || 'production'
if (mode === 'development') {
  process.stdout.write('check-build-env: NODE_ENV=development, not a production build: nothing to check\n')
  process.exit(0)
}

const env = dotenvParse(root, 'TARO_APP_', mode)
const apiBase = (env.TARO_APP_API_BASE ?? '').trim()
const payMode = (env.TARO_APP_PAY_MODE ?? '').trim()

if (!apiBase) {
  refuse('TARO_APP_API_BASE is empty (the in-app mock backend is for `npm run dev` only); set it to the merchant backend\'s https URL, e.g. TARO_APP_API_BASE=https://api.example.com')
}

let url
try {
  url = new URL(apiBase)
} catch {
  refuse(`TARO_APP_API_BASE is not a URL: ${JSON.stringify(apiBase)}`)
}
if (url.username || url.password) refuse('TARO_APP_API_BASE must not carry credentials (user:password@)')
if (url.search || url.hash) refuse('TARO_APP_API_BASE must be a base URL without ?query or #fragment')

const loopback = LOOPBACK_HOSTS.has(url.hostname)
if (url.protocol === 'http:' && loopback) {
  warn(`TARO_APP_API_BASE ${url.origin} is plain http on loopback: fine for DevTools with URL checks off, a phone needs an https domain configured in the mini-program console`)
} else if (url.protocol !== 'https:') {
  refuse(`TARO_APP_API_BASE must be https (WeChat only allows https request domains): ${apiBase}`)
}

if (payMode && !PAY_MODES.includes(payMode)) {
  refuse(`TARO_APP_PAY_MODE=${payMode} is unknown; use one of ${PAY_MODES.join(', ')} (empty means wechat with a backend)`)
}
if (payMode === 'simulated') {
  refuse('TARO_APP_PAY_MODE=simulated would ship the simulated pay sheet; a production build pays with wechat')
}
if (payMode === 'emulator') {
  if (!loopback) refuse('TARO_APP_PAY_MODE=emulator is for local testing against a loopback backend only; a production build pays with wechat')
  warn('TARO_APP_PAY_MODE=emulator: this build pays through the local emulator and can never take a real payment')
}

process.stdout.write(`check-build-env: ok: production weapp build, backend ${url.href}, pay mode ${payMode || 'wechat'}\n`)
