// Production Taro builds for the tests, made once and shared: a build goes to .taro-test/<name>
// (never dist/, the developer's DevTools folder) and is reused, by every suite and every later run,
// while a hash of its inputs (sources, config, lock file, .env files, settings) is unchanged. A lock
// directory keeps two jest workers (or two jest runs) from building into the same folder at once:
// the second waits and then finds the first one's build.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { taroBuild } from './taro-build'

export const projectRoot = path.resolve(__dirname, '../..')

/** The TARO_APP_* settings of one build; every key is passed, so no local .env file can change it. */
export interface TaroAppEnv {
  TARO_APP_API_BASE: string
  TARO_APP_PAY_MODE: string
  TARO_APP_EMULATOR_URL?: string
  TARO_APP_APPID?: string
}

const INPUTS = ['src', 'config', 'types', 'babel.config.js', 'package.json', 'package-lock.json', 'tsconfig.json', 'project.config.json', '.env', '.env.production', '.env.local', '.env.production.local']
const STAMP = '.taro-test-build.json'
/** How long a suite waits for another worker's build of the same folder. */
const LOCK_WAIT_MS = 10 * 60_000
const LOCK_POLL_MS = 250

/** Every file under `p` (a file or a folder), sorted, as absolute paths. */
function listFiles(p: string): string[] {
  if (!fs.existsSync(p)) return []
  const stat = fs.statSync(p)
  if (stat.isFile()) return [p]
  return fs.readdirSync(p).sort().flatMap((entry) => listFiles(path.join(p, entry)))
}

/** A hash of everything that decides the build's output. */
function fingerprint(type: string, env: Record<string, string>): string {
  const hash = crypto.createHash('sha256')
  hash.update(JSON.stringify({ type, env }))
  for (const input of INPUTS) {
    for (const file of listFiles(path.join(projectRoot, input))) {
      hash.update(path.relative(projectRoot, file))
      hash.update(fs.readFileSync(file))
    }
  }
  return hash.digest('hex')
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Holds a directory lock while `work` runs; waits (with a deadline) for another holder, breaks a dead holder's lock. */
async function withLock<T>(lockDir: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS
  for (;;) {
    try {
      fs.mkdirSync(lockDir, { recursive: false })
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid))
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      let holder = NaN
      try {
        holder = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'))
      } catch {
        // the holder has not written its pid yet
      }
      if (Number.isInteger(holder) && holder > 0 && !isAlive(holder)) fs.rmSync(lockDir, { recursive: true, force: true })
      if (Date.now() > deadline) throw new Error(`taro-cache: ${lockDir} stayed locked for ${LOCK_WAIT_MS / 60_000} minutes`)
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS))
    }
  }
  try {
    return await work()
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true })
  }
}

/** The build's own marker file, to leave out when a test reads or copies the output. */
export const BUILD_STAMP = STAMP

/**
 * Makes sure `.taro-test/<name>` holds a production-mode `type` build of the current sources with
 * `vars`, building it with `taro build --type <type>` when needed; returns the output folder.
 */
export async function ensureTaroBuild(type: 'weapp' | 'h5', name: string, vars: TaroAppEnv): Promise<string> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`taro-cache: bad build name ${name}`)
  const outRel = path.join('.taro-test', name)
  const out = path.join(projectRoot, outRel)
  const env = { TARO_APP_EMULATOR_URL: '', TARO_APP_APPID: '', ...vars }
  fs.mkdirSync(path.join(projectRoot, '.taro-test'), { recursive: true })
  return withLock(`${out}.lock`, async () => {
    const key = fingerprint(type, env)
    const stampFile = path.join(out, STAMP)
    if (fs.existsSync(stampFile) && JSON.parse(fs.readFileSync(stampFile, 'utf8')).key === key) return out
    fs.rmSync(out, { recursive: true, force: true })
    const { output: log } = await taroBuild({ type, env: { ...env, TARO_OUTPUT_ROOT: outRel } })
    const entry = type === 'weapp' ? 'app.js' : 'index.html'
    if (!fs.existsSync(path.join(out, entry))) throw new Error(`taro-cache: taro build produced no ${outRel}/${entry}\n${log.slice(-4000)}`)
    fs.writeFileSync(stampFile, JSON.stringify({ key, type, env, builtAt: new Date().toISOString() }, null, 2))
    return out
  })
}
