/**
 * The pure parts of `npm run preview` / `npm run upload`: reading project.config.json, mapping its
 * settings to miniprogram-ci's, checking the upload key, and turning miniprogram-ci's failures into
 * one line that says what to do.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** project.config.json, the part the CI reads (DevTools reads the same file). */
export interface ProjectConfig {
  appid: string
  miniprogramRoot: string
  compileType?: string
  setting: Record<string, unknown>
}

/** miniprogram-ci's compile settings (MiniProgramCI.ICompileSettings). */
export interface CiSettings {
  es6: boolean
  es7: boolean
  minify: boolean
  minifyJS: boolean
  minifyWXML: boolean
  minifyWXSS: boolean
  autoPrefixWXSS: boolean
}

export const KEY_HELP = 'download the code-upload key at mp.weixin.qq.com → 开发管理 → 开发设置 → 小程序代码上传 (and add this machine\'s IP to its whitelist)'

/** A problem the developer must fix; its message is the one line printed. */
export class PreviewError extends Error {}

/** Reads project.config.json from the project folder; a missing or broken file is a PreviewError. */
export function readProjectConfig(projectPath: string): ProjectConfig {
  const file = join(projectPath, 'project.config.json')
  if (!existsSync(file)) throw new PreviewError(`no project.config.json in ${projectPath}`)
  let raw: Record<string, unknown>
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
  } catch (e) {
    throw new PreviewError(`project.config.json is not valid JSON: ${(e as Error).message}`)
  }
  return {
    appid: typeof raw.appid === 'string' ? raw.appid.trim() : '',
    miniprogramRoot: typeof raw.miniprogramRoot === 'string' ? raw.miniprogramRoot : '',
    compileType: typeof raw.compileType === 'string' ? raw.compileType : undefined,
    setting: raw.setting && typeof raw.setting === 'object' ? (raw.setting as Record<string, unknown>) : {},
  }
}

/** The appid WeChat will accept, or a PreviewError saying how to get one. */
export function requireAppid(config: ProjectConfig): string {
  if (!config.appid || config.appid === 'touristappid') {
    throw new PreviewError(`project.config.json has appid ${config.appid || '(empty)'}: a phone preview needs your own mini-program's appid there (mp.weixin.qq.com → 开发管理 → 开发设置 → AppID)`)
  }
  if (!/^wx[0-9a-f]{16}$/.test(config.appid)) throw new PreviewError(`project.config.json appid "${config.appid}" does not look like a mini-program appid (wx + 16 hex digits)`)
  return config.appid
}

/** The upload key's path from MINIPROGRAM_PRIVATE_KEY_PATH, checked to be a readable PEM private key. */
export function requireKey(env: NodeJS.ProcessEnv): string {
  const path = env.MINIPROGRAM_PRIVATE_KEY_PATH?.trim()
  if (!path) throw new PreviewError(`MINIPROGRAM_PRIVATE_KEY_PATH is not set: ${KEY_HELP}, then MINIPROGRAM_PRIVATE_KEY_PATH=/path/to/private.<appid>.key`)
  if (!existsSync(path)) throw new PreviewError(`MINIPROGRAM_PRIVATE_KEY_PATH=${path} does not exist: ${KEY_HELP}`)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new PreviewError(`MINIPROGRAM_PRIVATE_KEY_PATH=${path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(text)) throw new PreviewError(`MINIPROGRAM_PRIVATE_KEY_PATH=${path} is not a PEM private key: ${KEY_HELP}`)
  return path
}

/**
 * project.config.json's `setting` as miniprogram-ci's compile settings, so the CI builds what
 * DevTools builds: es6 → es6, enhance → es7, minified → minify*, postcss → autoPrefixWXSS.
 */
export function ciSettings(setting: Record<string, unknown>): CiSettings {
  const on = (k: string) => setting[k] === true
  return {
    es6: on('es6'),
    es7: on('enhance'),
    minify: on('minified'),
    minifyJS: on('minified'),
    minifyWXML: on('minified'),
    minifyWXSS: on('minified'),
    autoPrefixWXSS: on('postcss'),
  }
}

const NETWORK = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|socket hang up|getaddrinfo|network/i

/** One line for a miniprogram-ci failure (it throws CodeErrors with errCode/errMsg, or plain errors). */
export function explainCiError(action: 'preview' | 'upload', e: unknown): string {
  const err = (e ?? {}) as { message?: string; code?: unknown; errCode?: unknown; errMsg?: string }
  const message = String(err.errMsg ?? err.message ?? e).split('\n')[0].trim()
  if (NETWORK.test(message)) {
    const code = /E[A-Z_]{4,}/.exec(message)?.[0]
    return `cannot reach WeChat's servers (servicewechat.com${code ? `: ${code}` : ''}): ${action} needs the internet; check the network or set HTTPS_PROXY`
  }
  if (/invalid ip|ip.*(白名单|whitelist)|-10008|不在白名单/i.test(message)) {
    return `WeChat refused this machine's IP address: add it to the upload key's IP whitelist (mp.weixin.qq.com → 开发管理 → 开发设置 → 小程序代码上传), or turn the whitelist off`
  }
  if (/signature|签名|privatekey|private key|-10009|invalid appid|appid/i.test(message)) {
    return `WeChat refused the upload key for this appid (${message}): the key must be the one downloaded for the appid in project.config.json`
  }
  return `${action} failed: ${message || 'unknown error from miniprogram-ci'}`
}

/** `preview` or `upload` arguments. */
export interface PreviewArgs {
  action: 'preview' | 'upload'
  version?: string
  desc?: string
  build: boolean
  project?: string
}

/** Parses `preview|upload [--version x.y.z] [--desc "…"] [--no-build] [--project DIR]`. */
export function parsePreviewArgs(argv: string[]): PreviewArgs {
  const [action, ...rest] = argv
  if (action !== 'preview' && action !== 'upload') throw new PreviewError(`unknown action "${action ?? ''}": use preview or upload`)
  const args: PreviewArgs = { action, build: true }
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]
    const value = () => {
      const v = rest[++i]
      if (v === undefined) throw new PreviewError(`${a} needs a value`)
      return v
    }
    if (a === '--version') args.version = value()
    else if (a === '--desc') args.desc = value()
    else if (a === '--project') args.project = value()
    else if (a === '--no-build') args.build = false
    else throw new PreviewError(`unknown argument ${a} (${action} takes ${action === 'upload' ? '--version x.y.z --desc "…" ' : '--desc "…" '}--no-build --project DIR)`)
  }
  if (action === 'upload') {
    if (!args.version) throw new PreviewError('upload needs --version x.y.z, e.g. npm run upload -- --version 1.0.0 --desc "first release"')
    if (!/^\d+\.\d+\.\d+$/.test(args.version)) throw new PreviewError(`--version must look like 1.2.3, got "${args.version}"`)
  }
  if (args.desc !== undefined && args.desc.length > 500) throw new PreviewError('--desc is longer than 500 characters')
  return args
}
