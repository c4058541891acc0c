/**
 * A second opinion on DevTools compatibility: WeChat's own miniprogram-ci compiles the production
 * weapp build offline (support/ci-compile.js; the project attributes it would fetch from WeChat are
 * its defaults), with this project's settings and with ES6 → ES5 on (which parses every JS file).
 * Negative controls show the check can fail: a page listed in app.json without its files, a JS syntax
 * error (in a one-page mini-program: transpiling the whole build to find it would cost ~20 s of CPU).
 * All compiles run in one miniprogram-ci process, one after another (loading the CI costs seconds).
 */
import { execFile } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
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

/** A one-page mini-program whose page JS has a syntax error, in this project's DevTools layout. */
function projectWithSyntaxError(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ci-project-'))
  made.push(dir)
  writeFileSync(join(dir, 'project.config.json'), readFileSync(join(projectRoot, 'project.config.json')))
  mkdirSync(join(dir, 'dist/pages/index'), { recursive: true })
  writeFileSync(join(dir, 'dist/app.json'), JSON.stringify({ pages: ['pages/index/index'] }))
  writeFileSync(join(dir, 'dist/app.js'), 'App({})')
  for (const [ext, text] of [['js', 'Page({})\nfunction ('], ['json', '{}'], ['wxml', '<view>hi</view>'], ['wxss', '']]) writeFileSync(join(dir, `dist/pages/index/index.${ext}`), text)
  return dir
}

interface Compiled { ok: boolean; files?: string[]; error?: string }

/** Compiles each project with its settings in one ci-compile process; resolves with the results in order. */
function compileAll(jobs: Array<{ projectPath: string; setting: object }>): Promise<Compiled[]> {
  return new Promise((resolve, reject) => {
    // Its own working folder: the CI leaves empty cache folders in the one it runs in.
    const cwd = mkdtempSync(join(tmpdir(), 'ci-cwd-'))
    made.push(cwd)
    execFile(process.execPath, [join(__dirname, 'support/ci-compile.js'), APPID, key], { cwd, env: { ...process.env, CI_JOBS: JSON.stringify(jobs) }, timeout: 170_000 }, (e, stdout) => {
      const last = stdout.trim().split('\n').pop() ?? ''
      try {
        resolve(JSON.parse(last) as Compiled[])
      } catch {
        reject(new Error(`ci-compile printed no result (${e?.message ?? 'no error'}): ${stdout.slice(-500)}`))
      }
    })
  })
}

const pages = () => (JSON.parse(readFileSync(join(build, 'app.json'), 'utf8')) as { pages: string[] }).pages

let asConfigured: Promise<Compiled>, es5: Promise<Compiled>, missingPage: Promise<Compiled>, syntaxError: Promise<Compiled>
beforeAll(() => {
  const second = pages()[1]
  const settings = ciSettings(JSON.parse(readFileSync(join(projectRoot, 'project.config.json'), 'utf8')).setting)
  const all = compileAll([
    { projectPath: projectWithBuild(), setting: settings },
    { projectPath: projectWithBuild(), setting: { es6: true } },
    { projectPath: projectWithBuild((dist) => rmSync(join(dist, `${second}.wxml`))), setting: {} },
    { projectPath: projectWithSyntaxError(), setting: { es6: true } },
  ])
  ;[asConfigured, es5, missingPage, syntaxError] = [0, 1, 2, 3].map((i) => all.then((results) => results[i]))
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
  const second = pages()[1]
  expect(await missingPage).toEqual({ ok: false, error: expect.stringContaining(`could not find the corresponding file: "${second}.wxml"`) })
  expect(await syntaxError).toEqual({ ok: false, error: expect.stringMatching(/pages\/index\/index\.js[\s\S]*Unexpected token/) })
})
