/**
 * `npm run preview` and `npm run upload -- --version x.y.z --desc "…"` with WeChat's official
 * miniprogram-ci: build the weapp into dist/, then preview (QR code in the terminal and in
 * dist-preview/qrcode.png) or upload it as a development version. One line on failure, exit 1.
 *
 * Which build: `upload` always makes the production build (`npm run build:weapp`'s check: it needs
 * TARO_APP_API_BASE). `preview` makes the production build when TARO_APP_API_BASE is set (shell or
 * .env.local), else the mock build (in-app mock backend and simulated pay sheet, like `npm run dev`),
 * so the UI can be tried on a phone with no server.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ciSettings, explainCiError, parsePreviewArgs, PreviewError, readProjectConfig, requireAppid, requireKey, type CiSettings } from './preview-support'

const ROOT = resolve(__dirname, '..')

/** The part of miniprogram-ci used here (injected in tests). */
export interface CiModule {
  Project: new (options: { appid: string; type: 'miniProgram'; projectPath: string; privateKeyPath: string; ignores: string[] }) => unknown
  preview(options: { project: unknown; desc?: string; setting: CiSettings; qrcodeFormat: 'image'; qrcodeOutputDest: string; robot: number; onProgressUpdate: (s: unknown) => void }): Promise<unknown>
  upload(options: { project: unknown; version: string; desc?: string; setting: CiSettings; robot: number; onProgressUpdate: (s: unknown) => void }): Promise<unknown>
}

export type BuildKind = 'production' | 'mock'

export interface PreviewDeps {
  env?: NodeJS.ProcessEnv
  /** Loads miniprogram-ci (default: require it). */
  ci?: () => CiModule
  /** Builds the weapp into the project's miniprogramRoot (default: the Taro CLI). */
  build?: (kind: BuildKind, projectPath: string) => Promise<void>
  /** Whether TARO_APP_API_BASE is set for a production build (default: the shell, .env, .env.local). */
  hasApiBase?: (projectPath: string) => boolean
  /** Renders the QR image as terminal text (default: miniprogram-ci's own renderer). */
  terminalQr?: (imageBase64: string) => Promise<string>
  log?: (line: string) => void
}

export interface PreviewResult {
  ok: boolean
  line: string
}

/** Runs `preview` or `upload`; never throws. */
export async function runPreview(argv: string[], deps: PreviewDeps = {}): Promise<PreviewResult> {
  const env = deps.env ?? process.env
  const log = deps.log ?? ((l: string) => process.stdout.write(`${l}\n`))
  let action = argv[0] === 'upload' ? 'upload' : 'preview'
  try {
    const args = parsePreviewArgs(argv)
    action = args.action
    const projectPath = resolve(args.project ?? ROOT)
    const config = readProjectConfig(projectPath)
    // Everything the developer must fix is checked before the (minute-long) build.
    const appid = requireAppid(config)
    const privateKeyPath = requireKey(env)
    if (args.build) {
      const apiBase = (deps.hasApiBase ?? hasApiBase)(projectPath)
      const kind: BuildKind = args.action === 'upload' || apiBase ? 'production' : 'mock'
      log(kind === 'production' ? 'building the production weapp (TARO_APP_API_BASE is set)…' : 'building the weapp with the in-app mock backend (TARO_APP_API_BASE is not set)…')
      await (deps.build ?? buildWeapp)(kind, projectPath)
    }
    const ci = (deps.ci ?? loadCi)()
    const project = new ci.Project({ appid, type: 'miniProgram', projectPath, privateKeyPath, ignores: ['node_modules/**/*'] })
    const setting = ciSettings(config.setting)
    const quiet = () => {}
    if (args.action === 'upload') {
      const version = args.version as string
      await ci.upload({ project, version, desc: args.desc, setting, robot: 1, onProgressUpdate: quiet })
      return { ok: true, line: `uploaded ${appid} version ${version}: set it as the trial version or submit it for review at mp.weixin.qq.com → 管理 → 版本管理` }
    }
    const outDir = join(projectPath, 'dist-preview')
    mkdirSync(outDir, { recursive: true })
    const qr = join(outDir, 'qrcode.png')
    await ci.preview({ project, desc: args.desc, setting, qrcodeFormat: 'image', qrcodeOutputDest: qr, robot: 1, onProgressUpdate: quiet })
    try {
      log(await (deps.terminalQr ?? terminalQr)(readFileSync(qr).toString('base64')))
    } catch {
      log('(the QR code could not be drawn in this terminal: open the image below)')
    }
    return { ok: true, line: `preview of ${appid} ready: scan the QR code above with WeChat (also in ${qr})` }
  } catch (e) {
    if (e instanceof PreviewError) return { ok: false, line: `${action}: ${e.message}` }
    return { ok: false, line: `${action}: ${explainCiError(action as 'preview' | 'upload', e)}` }
  }
}

function loadCi(): CiModule {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require('miniprogram-ci') as CiModule
}

async function terminalQr(imageBase64: string): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { generateTerminalQrcode } = require('miniprogram-ci/dist/ci/utils/terminalQrcode') as { generateTerminalQrcode(b64: string): Promise<string> }
  return generateTerminalQrcode(imageBase64)
}

/** TARO_APP_API_BASE as Taro resolves it for a production build (shell first, then the .env files). */
function hasApiBase(projectPath: string): boolean {
  if (process.env.TARO_APP_API_BASE?.trim()) return true
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { dotenvParse } = require('@tarojs/helper') as { dotenvParse(root: string, prefix: string, mode: string): Record<string, string> }
  return Boolean(dotenvParse(projectPath, 'TARO_APP_', 'production').TARO_APP_API_BASE?.trim())
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'inherit', 'inherit'] })
    child.on('error', fail)
    child.on('close', (code) => (code === 0 ? done() : fail(new PreviewError(`${args.slice(-3).join(' ')} failed (exit ${code}); see the output above`))))
  })
}

/** The production build goes through build:weapp's environment check; the mock build is a one-off dev build. */
async function buildWeapp(kind: BuildKind, projectPath: string): Promise<void> {
  const taro = join(ROOT, 'node_modules/@tarojs/cli/bin/taro')
  if (kind === 'production') {
    const env = { ...process.env, NODE_ENV: 'production' }
    await run(process.execPath, [join(ROOT, 'scripts/check-build-env.mjs')], env, projectPath).catch(() => {
      throw new PreviewError('the production build needs a valid TARO_APP_API_BASE (see the check-build-env line above)')
    })
    await run(process.execPath, [taro, 'build', '--type', 'weapp'], env, projectPath)
  } else {
    await run(process.execPath, [taro, 'build', '--type', 'weapp'], { ...process.env, NODE_ENV: 'development' }, projectPath)
  }
}

if (/scripts[\\/]preview\.[jt]s$/.test(process.argv[1] ?? '')) {
  const finish = (r: PreviewResult) => {
    (r.ok ? process.stdout : process.stderr).write(`${r.line}\n`)
    // miniprogram-ci leaves a file watcher and child processes behind: leave explicitly.
    process.exit(r.ok ? 0 : 1)
  }
  const action = process.argv[2] === 'upload' ? 'upload' : 'preview'
  // miniprogram-ci logs every step and every failure through console; the result is our one line.
  if (!process.env.MINIPROGRAM_CI_VERBOSE) for (const m of ['log', 'info', 'debug', 'warn', 'error'] as const) console[m] = () => {}
  // miniprogram-ci rejects some promises nobody awaits (e.g. with no network): still one line.
  process.on('unhandledRejection', (e) => finish({ ok: false, line: `${action}: ${explainCiError(action, e)}` }))
  process.on('uncaughtException', (e) => finish({ ok: false, line: `${action}: ${explainCiError(action, e)}` }))
  void runPreview(process.argv.slice(2)).then(finish)
}
