// scripts/check-build-env.mjs: the guard in front of `npm run build:weapp`, run as a real process.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const root = path.resolve(__dirname, '../..')
const script = path.join(root, 'scripts/check-build-env.mjs')

/** Runs the guard with every TARO_APP_* key set explicitly (so no local .env file interferes); `undefined` leaves a key out. */
function check(vars: Record<string, string | undefined>, scriptPath = script) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    TARO_APP_API_BASE: '',
    TARO_APP_PAY_MODE: '',
    TARO_APP_EMULATOR_URL: '',
    TARO_APP_APPID: '',
    ...vars,
  }
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key]
  const run = spawnSync(process.execPath, [scriptPath], { cwd: root, env, encoding: 'utf8' })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

/** The non-empty lines a run printed on stderr. */
const lines = (text: string) => text.split('\n').filter(Boolean)

describe('check-build-env', () => {
  it('refuses a production build without TARO_APP_API_BASE, with one line naming the variable', () => {
    const run = check({})
    expect(run.status).toBe(1)
    expect(lines(run.stderr)).toHaveLength(1)
    expect(run.stderr).toMatch(/TARO_APP_API_BASE is empty/)
  })

  it('accepts an https backend and defaults the pay mode to wechat', () => {
    const run = check({ TARO_APP_API_BASE: 'https://api.example.com' })
    expect(run.status).toBe(0)
    expect(run.stderr).toBe('')
    expect(run.stdout).toMatch(/backend https:\/\/api\.example\.com\/, pay mode wechat/)
  })

  it.each([
    ['http://api.example.com', /must be https/],
    ['ftp://api.example.com', /must be https/],
    ['api.example.com', /is not a URL/],
    ['https://user:secret@api.example.com', /credentials/],
    ['https://api.example.com/?x=1', /without \?query/],
  ])('refuses TARO_APP_API_BASE=%s', (apiBase, reason) => {
    const run = check({ TARO_APP_API_BASE: apiBase })
    expect(run.status).toBe(1)
    expect(lines(run.stderr)).toHaveLength(1)
    expect(run.stderr).toMatch(reason)
  })

  it('allows plain http on loopback only, with a warning line', () => {
    for (const base of ['http://127.0.0.1:3000', 'http://localhost:3000']) {
      const run = check({ TARO_APP_API_BASE: base })
      expect(run.status).toBe(0)
      expect(lines(run.stderr)).toEqual([expect.stringMatching(/warning: .*plain http on loopback/)])
    }
  })

  it('refuses an unknown pay mode and the simulated pay sheet', () => {
    const unknown = check({ TARO_APP_API_BASE: 'https://api.example.com', TARO_APP_PAY_MODE: 'alipay' })
    expect(unknown.status).toBe(1)
    expect(unknown.stderr).toMatch(/TARO_APP_PAY_MODE=alipay is unknown/)
    const simulated = check({ TARO_APP_API_BASE: 'https://api.example.com', TARO_APP_PAY_MODE: 'simulated' })
    expect(simulated.status).toBe(1)
    expect(simulated.stderr).toMatch(/simulated pay sheet/)
  })

  it('allows the emulator pay mode only against a loopback backend', () => {
    const remote = check({ TARO_APP_API_BASE: 'https://api.example.com', TARO_APP_PAY_MODE: 'emulator' })
    expect(remote.status).toBe(1)
    expect(remote.stderr).toMatch(/emulator is for local testing/)
    const local = check({ TARO_APP_API_BASE: 'http://127.0.0.1:3000', TARO_APP_PAY_MODE: 'emulator' })
    expect(local.status).toBe(0)
    expect(local.stderr).toMatch(/can never take a real payment/)
  })

  it('reads the .env files as Taro does: .env.production supplies a value, a shell value wins', () => {
    // A copy of the script in a scratch project with its own .env files (the script reads the
    // files next to its scripts/ folder, like Taro reads the project's).
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'check-build-env-'))
    try {
      fs.mkdirSync(path.join(scratch, 'scripts'))
      fs.copyFileSync(script, path.join(scratch, 'scripts/check-build-env.mjs'))
      fs.symlinkSync(path.join(root, 'node_modules'), path.join(scratch, 'node_modules'), 'dir')
      fs.writeFileSync(path.join(scratch, '.env'), 'TARO_APP_API_BASE=\nTARO_APP_PAY_MODE=\n')
      fs.writeFileSync(path.join(scratch, '.env.production'), 'TARO_APP_API_BASE=https://shop.example.com\n')
      const copy = path.join(scratch, 'scripts/check-build-env.mjs')
      // Keys left out of the shell come from the files.
      const fromFile = check({ TARO_APP_API_BASE: undefined, TARO_APP_PAY_MODE: undefined }, copy)
      expect(fromFile.status).toBe(0)
      expect(fromFile.stdout).toMatch(/backend https:\/\/shop\.example\.com\//)
      // An empty shell value overrides the file, as it does for Taro's build.
      const emptied = check({ TARO_APP_API_BASE: '' }, copy)
      expect(emptied.status).toBe(1)
      expect(emptied.stderr).toMatch(/TARO_APP_API_BASE is empty/)
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true })
    }
  })

  it('stops `npm run build:weapp` before Taro builds anything', () => {
    // The output root points into .taro-test so that a broken guard could never touch dist/.
    const run = spawnSync('npm', ['run', '--silent', 'build:weapp'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'production', TARO_APP_API_BASE: '', TARO_APP_PAY_MODE: 'wechat', TARO_OUTPUT_ROOT: '.taro-test/weapp-refused' },
    })
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/check-build-env: refusing the production weapp build: TARO_APP_API_BASE is empty/)
    expect(run.stdout + run.stderr).not.toMatch(/Compiled successfully|Webpack/)
  })
})
