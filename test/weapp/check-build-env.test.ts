// scripts/check-build-env.mjs: the guard in front of `npm run build:weapp`, run as a real process.
import { spawnSync } from 'node:child_process'
import path from 'node:path'

const root = path.resolve(__dirname, '../..')
const script = path.join(root, 'scripts/check-build-env.mjs')

/** Runs the guard with every TARO_APP_* key set explicitly, so no local .env file can interfere. */
function check(vars: Record<string, string>) {
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    TARO_APP_API_BASE: '',
    TARO_APP_PAY_MODE: '',
    TARO_APP_EMULATOR_URL: '',
    TARO_APP_APPID: '',
    ...vars,
  }
  const run = spawnSync(process.execPath, [script], { cwd: root, env, encoding: 'utf8' })
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
