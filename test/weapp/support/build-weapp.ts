// Builds the mini-program with the real Taro CLI into .taro-test/<name> (never dist/, the
// developer's DevTools folder). A build whose inputs (sources, config, lock file, env) are
// unchanged since the last successful build is reused; a lock keeps two jest runs from
// building into the same folder at once.
import { taroBuild } from '../../support/taro-build'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

export const projectRoot = path.resolve(__dirname, '../../..')

/** The TARO_APP_* settings of one build; every key is passed, so no local .env file can change it. */
export interface WeappBuildEnv {
  TARO_APP_API_BASE: string
  TARO_APP_PAY_MODE: string
  TARO_APP_EMULATOR_URL?: string
  TARO_APP_APPID?: string
}

const INPUTS = ['src', 'config', 'types', 'babel.config.js', 'package.json', 'package-lock.json', 'tsconfig.json', 'project.config.json', '.env', '.env.production', '.env.local', '.env.production.local']
const STAMP = '.weapp-test-build.json'

/** Every file under `p` (a file or a folder), sorted, as absolute paths. */
function listFiles(p: string): string[] {
  if (!fs.existsSync(p)) return []
  const stat = fs.statSync(p)
  if (stat.isFile()) return [p]
  return fs.readdirSync(p).sort().flatMap((entry) => listFiles(path.join(p, entry)))
}

/** A hash of everything that decides the build's output. */
function fingerprint(env: Record<string, string>): string {
  const hash = crypto.createHash('sha256')
  hash.update(JSON.stringify(env))
  for (const input of INPUTS) {
    for (const file of listFiles(path.join(projectRoot, input))) {
      hash.update(path.relative(projectRoot, file))
      hash.update(fs.readFileSync(file))
    }
  }
  return hash.digest('hex')
}

/** Holds a directory lock while `work` runs; waits (with a deadline) for another holder, breaks a dead holder's lock. */
async function withLock<T>(lockDir: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 10 * 60_000
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
      if (Date.now() > deadline) throw new Error(`build-weapp: ${lockDir} stayed locked for 10 minutes`)
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
  try {
    return await work()
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true })
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Makes sure `.taro-test/<name>` holds a production-mode weapp build of the current sources with
 * `vars`, building it with `taro build --type weapp` when needed; returns the output folder.
 */
export async function ensureWeappBuild(name: string, vars: WeappBuildEnv): Promise<string> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`build-weapp: bad build name ${name}`)
  const outRel = path.join('.taro-test', name)
  const out = path.join(projectRoot, outRel)
  const env = { TARO_APP_EMULATOR_URL: '', TARO_APP_APPID: '', ...vars }
  fs.mkdirSync(path.join(projectRoot, '.taro-test'), { recursive: true })
  return withLock(`${out}.lock`, async () => {
    const key = fingerprint(env)
    const stampFile = path.join(out, STAMP)
    if (fs.existsSync(stampFile) && JSON.parse(fs.readFileSync(stampFile, 'utf8')).key === key) return out
    fs.rmSync(out, { recursive: true, force: true })
    const { output: log } = await taroBuild({ type: 'weapp', env: { ...env, TARO_OUTPUT_ROOT: outRel } })
    if (!fs.existsSync(path.join(out, 'app.js'))) throw new Error(`build-weapp: taro build produced no ${outRel}/app.js\n${log.slice(-4000)}`)
    fs.writeFileSync(stampFile, JSON.stringify({ key, env, builtAt: new Date().toISOString() }, null, 2))
    return out
  })
}
