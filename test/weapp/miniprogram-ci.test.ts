/**
 * A second opinion on DevTools compatibility: WeChat's own miniprogram-ci compiles the production
 * weapp build offline (support/ci-compile.js; the project attributes it would fetch from WeChat are
 * its defaults), with this project's settings and with ES6 → ES5 on (which parses every JS file).
 * Negative controls show the check can fail: a page listed in app.json without its files, a JS syntax error.
 */
import { execFile } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ciSettings } from '../../scripts/preview-support'
import { BUILD_STAMP, prodBuild, projectRoot } from './support/build-weapp'

const APPID = 'wx0123456789abcdef'
let build: string
let key: string
const made: string[] = []
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})

beforeAll(async () => {
  build = await prodBuild()
  const keyDir = mkdtempSync(join(tmpdir(), 'ci-key-'))
  made.push(keyDir)
  key = join(keyDir, 'private.key')
  writeFileSync(key, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }))
})

/** A project folder as DevTools sees it: this project.config.json and the build as dist/. */
function projectWithBuild(change?: (dist: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'ci-project-'))
  made.push(dir)
  writeFileSync(join(dir, 'project.config.json'), readFileSync(join(projectRoot, 'project.config.json')))
  cpSync(build, join(dir, 'dist'), { recursive: true })
  rmSync(join(dir, 'dist', BUILD_STAMP), { force: true })
  change?.(join(dir, 'dist'))
  return dir
}

function compile(dir: string, setting: object): Promise<{ ok: boolean; files?: string[]; error?: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(__dirname, 'support/ci-compile.js'), dir, APPID, key], { cwd: projectRoot, env: { ...process.env, CI_SETTING: JSON.stringify(setting) }, timeout: 150_000 }, (e, stdout) => {
      const last = stdout.trim().split('\n').pop() ?? ''
      try {
        resolve(JSON.parse(last))
      } catch {
        reject(new Error(`ci-compile printed no result (${e?.message ?? 'no error'}): ${stdout.slice(-500)}`))
      }
    })
  })
}

const pages = () => (JSON.parse(readFileSync(join(build, 'app.json'), 'utf8')) as { pages: string[] }).pages

type Compiled = ReturnType<typeof compile>
// The four compiles mostly wait: they run side by side.
let asConfigured: Compiled, es5: Compiled, missingPage: Compiled, syntaxError: Compiled
beforeAll(() => {
  const [first, second] = pages()
  const settings = ciSettings(JSON.parse(readFileSync(join(projectRoot, 'project.config.json'), 'utf8')).setting)
  asConfigured = compile(projectWithBuild(), settings)
  es5 = compile(projectWithBuild(), { es6: true })
  missingPage = compile(projectWithBuild((dist) => rmSync(join(dist, `${second}.wxml`))), {})
  syntaxError = compile(projectWithBuild((dist) => appendFileSync(join(dist, `${first}.js`), '\nfunction (')), { es6: true })
  for (const p of [asConfigured, es5, missingPage, syntaxError]) p.catch(() => {}) // awaited in the tests
})

test('the production build compiles with the settings of project.config.json: every page of app.json is in the package', async () => {
  const r = await asConfigured
  expect(r.error).toBeUndefined()
  for (const page of pages()) for (const ext of ['js', 'json', 'wxml', 'wxss']) expect(r.files).toContain(`${page}.${ext}`)
  expect(r.files).toEqual(expect.arrayContaining(['app.js', 'app.json', 'app.wxss']))
})

test('with ES6 → ES5 on, every JS file parses and compiles', async () => {
  expect(await es5).toMatchObject({ ok: true })
})

test('negative controls: a page without its files, a JS syntax error', async () => {
  const [first, second] = pages()
  expect(await missingPage).toEqual({ ok: false, error: expect.stringContaining(`could not find the corresponding file: "${second}.wxml"`) })
  expect(await syntaxError).toEqual({ ok: false, error: expect.stringMatching(new RegExp(`${first}\\.js[\\s\\S]*Unexpected token`)) })
})
