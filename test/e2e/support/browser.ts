/**
 * Headless Chromium for the browser tests, driven by playwright-core. By default the Chromium that
 * ships inside the npm package @sparticuz/chromium (no system package, no download): unpacked once
 * into node_modules/.cache/. CHROMIUM_PATH names another Chrome/Chromium instead (macOS, Windows).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'

const ROOT = join(__dirname, '../../..')
const PACKAGE = join(ROOT, 'node_modules/@sparticuz/chromium')

/** Where the packaged Chromium is unpacked: chromium, its NSS libraries (lib/), swiftshader. */
export function packagedChromiumDir(): string {
  const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { version: string }
  return join(ROOT, 'node_modules/.cache', `sparticuz-chromium-${pkg.version}`)
}

// The package's own code unpacks into os.tmpdir(); pointing TMPDIR at a private staging folder keeps
// it out of the shared /tmp, and the rename below makes concurrent jest workers agree on one copy.
const UNPACK = `
import chromium, { inflate } from '@sparticuz/chromium'
import { join } from 'node:path'
const bin = process.argv[1]
await chromium.executablePath(bin)
await inflate(join(bin, 'al2023.tar.br'))
`

/** Unpacks @sparticuz/chromium (about 2 s, once per checkout) and answers the executable's path. */
export function packagedChromium(): string {
  const dir = packagedChromiumDir()
  const exe = join(dir, 'chromium')
  if (existsSync(exe)) return exe
  mkdirSync(dirname(dir), { recursive: true })
  const staging = `${dir}.tmp-${process.pid}`
  rmSync(staging, { recursive: true, force: true })
  mkdirSync(staging)
  try {
    execFileSync(process.execPath, ['--input-type=module', '-e', UNPACK, join(PACKAGE, 'bin')], { cwd: ROOT, env: { ...process.env, TMPDIR: staging }, stdio: ['ignore', 'ignore', 'pipe'] })
    renameSync(staging, dir)
  } catch (e) {
    rmSync(staging, { recursive: true, force: true })
    if (!existsSync(exe)) throw new Error(`could not unpack @sparticuz/chromium (run npm install, or set CHROMIUM_PATH): ${(e as Error).message}`)
  }
  return exe
}

/** The browser the tests drive: CHROMIUM_PATH when set, else the packaged Chromium. */
export function chromiumPath(): string {
  const own = process.env.CHROMIUM_PATH
  if (own) {
    if (!existsSync(own)) throw new Error(`CHROMIUM_PATH=${own} does not exist`)
    return own
  }
  return packagedChromium()
}

export function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath()
  const packaged = !process.env.CHROMIUM_PATH
  // The packaged build needs NSS (libnss3 …): it comes with the package, so none is installed.
  const libs = join(dirname(executablePath), 'al2023', 'lib')
  const env = packaged ? { ...process.env, LD_LIBRARY_PATH: [libs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(delimiter) } : process.env
  return chromium.launch({
    executablePath,
    headless: true,
    env: env as Record<string, string>,
    // Without the background-networking flags Chromium keeps dialling Google's hosts, which this
    // machine's closed network refuses; --no-sandbox because CI runs as root.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  })
}
