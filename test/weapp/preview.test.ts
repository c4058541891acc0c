/**
 * `npm run preview` / `npm run upload` (scripts/preview.ts): what is handed to miniprogram-ci (an
 * injected stand-in: WeChat's servers are not reachable from here), which build is made, and every
 * way it stops with one line. The last test runs the real CLI with the real miniprogram-ci.
 */
import { execFile } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runPreview, type BuildKind, type CiModule, type PreviewDeps } from '../../scripts/preview'
import { ciSettings } from '../../scripts/preview-support'

const ROOT = join(__dirname, '../..')
const APPID = 'wx0123456789abcdef'
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')

const made: string[] = []
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})

/** A project folder with its own project.config.json and an upload key. */
function fixture(config: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'preview-'))
  made.push(dir)
  writeFileSync(join(dir, 'project.config.json'), JSON.stringify({ miniprogramRoot: 'dist/', appid: APPID, compileType: 'miniprogram', setting: { es6: true, enhance: true, postcss: true, minified: true, urlCheck: false }, ...config }))
  const key = join(dir, 'private.key')
  writeFileSync(key, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }))
  return { dir, key }
}

/** A miniprogram-ci stand-in recording its calls; preview writes the QR image like the real one. */
function fakeCi(fail?: unknown) {
  const calls: Array<{ fn: string; options: Record<string, unknown> }> = []
  const projects: unknown[] = []
  class Project {
    constructor(options: Record<string, unknown>) {
      calls.push({ fn: 'Project', options })
      projects.push(this)
    }
  }
  const ci = {
    Project,
    preview: async (options: Record<string, unknown>) => {
      calls.push({ fn: 'preview', options })
      if (fail) throw fail
      writeFileSync(options.qrcodeOutputDest as string, PNG)
      return {}
    },
    upload: async (options: Record<string, unknown>) => {
      calls.push({ fn: 'upload', options })
      if (fail) throw fail
      return {}
    },
  } as unknown as CiModule
  return { ci, calls, projects }
}

function deps(key: string | undefined, over: Partial<PreviewDeps> & { fail?: unknown } = {}) {
  const { ci, calls, projects } = fakeCi(over.fail)
  const builds: BuildKind[] = []
  const logged: string[] = []
  const d: PreviewDeps = {
    env: key ? { MINIPROGRAM_PRIVATE_KEY_PATH: key } : {},
    ci: () => ci,
    build: async (kind) => {
      builds.push(kind)
    },
    hasApiBase: () => false,
    terminalQr: async (b64) => `QR(${Buffer.from(b64, 'base64').toString('hex').slice(0, 8)})`,
    log: (l) => logged.push(l),
    ...over,
  }
  return { d, calls, builds, logged, projects }
}

describe('what miniprogram-ci is given', () => {
  test('preview: the project (path, type, appid, key), settings from project.config.json, the QR as an image in dist-preview/ and in the terminal', async () => {
    const { dir, key } = fixture()
    const { d, calls, builds, logged, projects } = deps(key)
    const r = await runPreview(['preview', '--project', dir, '--desc', 'try the checkout'], d)
    expect(r).toEqual({ ok: true, line: `preview of ${APPID} ready: scan the QR code above with WeChat (also in ${join(dir, 'dist-preview/qrcode.png')})` })
    expect(builds).toEqual(['mock'])
    expect(calls.map((c) => c.fn)).toEqual(['Project', 'preview'])
    expect(calls[0].options).toEqual({ appid: APPID, type: 'miniProgram', projectPath: dir, privateKeyPath: key, ignores: ['node_modules/**/*'] })
    expect(calls[1].options).toMatchObject({
      desc: 'try the checkout',
      setting: { es6: true, es7: true, minify: true, minifyJS: true, minifyWXML: true, minifyWXSS: true, autoPrefixWXSS: true },
      qrcodeFormat: 'image',
      qrcodeOutputDest: join(dir, 'dist-preview/qrcode.png'),
      robot: 1,
    })
    expect(calls[1].options.project).toBe(projects[0])
    expect(readFileSync(join(dir, 'dist-preview/qrcode.png'))).toEqual(PNG)
    expect(logged).toContain('QR(89504e47)')
  })

  test('this project\'s own project.config.json maps to the CI settings DevTools uses for it', () => {
    const config = JSON.parse(readFileSync(join(ROOT, 'project.config.json'), 'utf8'))
    expect(ciSettings(config.setting)).toEqual({ es6: false, es7: false, minify: false, minifyJS: false, minifyWXML: false, minifyWXSS: false, autoPrefixWXSS: false })
    expect(config.miniprogramRoot).toBe('dist/')
    expect(config.compileType).toBe('miniprogram')
  })

  test('preview builds the production weapp when TARO_APP_API_BASE is set, the mock build otherwise; --no-build builds nothing', async () => {
    const { dir, key } = fixture()
    const prod = deps(key, { hasApiBase: () => true })
    expect((await runPreview(['preview', '--project', dir], prod.d)).ok).toBe(true)
    expect(prod.builds).toEqual(['production'])
    const none = deps(key)
    expect((await runPreview(['preview', '--project', dir, '--no-build'], none.d)).ok).toBe(true)
    expect(none.builds).toEqual([])
  })

  test('upload: the version and description, always the production build', async () => {
    const { dir, key } = fixture()
    const { d, calls, builds } = deps(key)
    const r = await runPreview(['upload', '--project', dir, '--version', '1.2.3', '--desc', '首个版本'], d)
    expect(r).toEqual({ ok: true, line: `uploaded ${APPID} version 1.2.3: set it as the trial version or submit it for review at mp.weixin.qq.com → 管理 → 版本管理` })
    expect(builds).toEqual(['production'])
    expect(calls[1]).toMatchObject({ fn: 'upload', options: { version: '1.2.3', desc: '首个版本', robot: 1, setting: { es6: true, es7: true } } })
  })
})

describe('one line and exit 1, never a stack trace', () => {
  const fails = async (argv: string[], d: PreviewDeps, line: string | RegExp) => {
    const r = await runPreview(argv, d)
    expect(r.ok).toBe(false)
    if (typeof line === 'string') expect(r.line).toBe(line)
    else expect(r.line).toMatch(line)
    expect(r.line).not.toContain('\n')
  }

  test.each([['touristappid'], ['']])('appid "%s": says to put the mini-program\'s own appid in project.config.json; nothing is built or sent', async (appid) => {
    const { dir, key } = fixture({ appid })
    const { d, calls, builds } = deps(key)
    await fails(['preview', '--project', dir], d, `preview: project.config.json has appid ${appid || '(empty)'}: a phone preview needs your own mini-program's appid there (mp.weixin.qq.com → 开发管理 → 开发设置 → AppID)`)
    expect([calls, builds]).toEqual([[], []])
  })

  test('no MINIPROGRAM_PRIVATE_KEY_PATH, a missing file, or a file that is not a key: says where the key comes from', async () => {
    const { dir } = fixture()
    const { d, builds } = deps(undefined)
    await fails(['preview', '--project', dir], d, /^preview: MINIPROGRAM_PRIVATE_KEY_PATH is not set: download the code-upload key at mp\.weixin\.qq\.com → 开发管理 → 开发设置 → 小程序代码上传/)
    await fails(['upload', '--project', dir, '--version', '1.0.0'], deps(join(dir, 'nope.key')).d, /^upload: MINIPROGRAM_PRIVATE_KEY_PATH=.*nope\.key does not exist: download the code-upload key/)
    const notKey = join(dir, 'project.config.json')
    await fails(['preview', '--project', dir], deps(notKey).d, /^preview: MINIPROGRAM_PRIVATE_KEY_PATH=.*project\.config\.json is not a PEM private key/)
    expect(builds).toEqual([])
  })

  test('no network: says WeChat\'s servers cannot be reached', async () => {
    const { dir, key } = fixture()
    const offline = Object.assign(new Error('Error: getaddrinfo ENOTFOUND servicewechat.com\n    at getRandomString (sign.js:1:895)'), { code: 20001 })
    await fails(['preview', '--project', dir], deps(key, { fail: offline }).d, "preview: cannot reach WeChat's servers (servicewechat.com: ENOTFOUND): preview needs the internet; check the network or set HTTPS_PROXY")
  })

  test('an IP outside the key\'s whitelist, a key for another appid, anything else: one line each', async () => {
    const { dir, key } = fixture()
    await fails(['upload', '--project', dir, '--version', '1.0.0'], deps(key, { fail: { errCode: -10008, errMsg: 'invalid ip: 1.2.3.4, reference: https://developers.weixin.qq.com/…' } }).d, /^upload: WeChat refused this machine's IP address: add it to the upload key's IP whitelist/)
    await fails(['preview', '--project', dir], deps(key, { fail: new Error('Error: {"errCode":-1,"errMsg":"get signature fail: privateKey does not match"}') }).d, /^preview: WeChat refused the upload key for this appid/)
    await fails(['preview', '--project', dir], deps(key, { fail: new Error('something odd\n  at x') }).d, 'preview: preview failed: something odd')
  })

  test('a failed build stops before miniprogram-ci', async () => {
    const { dir, key } = fixture()
    const { PreviewError } = await import('../../scripts/preview-support')
    const { d, calls } = deps(key, { build: async () => { throw new PreviewError('build --type weapp failed (exit 1); see the output above') } })
    await fails(['preview', '--project', dir], d, 'preview: build --type weapp failed (exit 1); see the output above')
    expect(calls).toEqual([])
  })

  test.each([
    [['upload'], 'upload: upload needs --version x.y.z, e.g. npm run upload -- --version 1.0.0 --desc "first release"'],
    [['upload', '--version', 'v1'], 'upload: --version must look like 1.2.3, got "v1"'],
    [['preview', '--verbose'], /^preview: unknown argument --verbose/],
    [['publish'], 'preview: unknown action "publish": use preview or upload'],
  ])('%j → %s', async (argv, line) => {
    await fails(argv as string[], deps(undefined).d, line)
  })
})

test('the real CLI with the real miniprogram-ci: one line on stderr and exit 1 (no WeChat servers reachable from here, or a key WeChat does not know)', async () => {
  const { dir, key } = fixture({ setting: {} })
  mkdirSync(join(dir, 'dist/pages/index'), { recursive: true })
  writeFileSync(join(dir, 'dist/app.json'), JSON.stringify({ pages: ['pages/index/index'] }))
  writeFileSync(join(dir, 'dist/app.js'), 'App({})')
  for (const [ext, text] of [['js', 'Page({})'], ['json', '{}'], ['wxml', '<view>hi</view>'], ['wxss', '']]) writeFileSync(join(dir, `dist/pages/index/index.${ext}`), text)
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/preview.ts', 'preview', '--project', dir, '--no-build'], {
      cwd: ROOT,
      env: { ...process.env, MINIPROGRAM_PRIVATE_KEY_PATH: key, MINIPROGRAM_CI_VERBOSE: '' },
      timeout: 120_000,
    }, (_e, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }))
  })
  expect(r.code).toBe(1)
  expect(r.stdout).toBe('')
  expect(r.stderr).toMatch(/^preview: [^\n]+\n$/)
  expect(r.stderr).not.toMatch(/^\s+at /m)
}, 150_000)
