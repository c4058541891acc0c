// Runs a compiled Taro weapp output (the files WeChat DevTools would upload) inside
// miniprogram-simulate: the page's .wxml is compiled by the official wcc compiler shipped in
// miniprogram-compiler, its .js runs with the mini-program's module semantics, and a small shim
// provides what the WeChat client provides (App, getApp, getCurrentPages, Page, wx).
import fs from 'node:fs'
import path from 'node:path'
import { createWxStub } from './wx-stub'

type Simulate = typeof import('miniprogram-simulate')
type RootComponent = ReturnType<Simulate['render']>
type HostElement = { remove(): void }
type PageLike = Record<string, unknown> & { route?: string }

/** Identifiers a mini-program's JS never sees (no Node, no browser); shadowed while compiled code runs. */
const ABSENT_GLOBALS = ['process', 'window', 'document', 'navigator', 'location', 'self', '__dirname', '__filename']

/** A launched mini-program with one page rendered. */
export interface LaunchedPage {
  page: RootComponent
  /** The page instance (`this` of the page's methods), as getCurrentPages() returns it. */
  instance: PageLike
  wx: ReturnType<typeof createWxStub>
  /** Every error the compiled code reported through console.error or an unhandled rejection. */
  errors: unknown[]
  /** The rendered node with this id (Taro renders `id="{{i.uid||i.sid}}"`), looking into nested `comp`/`custom-wrapper` components too. */
  find(id: string): SimNode | undefined
  /** Types `value` into an input: an `input` event with `detail.value`, as the WeChat client sends. */
  input(id: string, value: string): void
  /** Taps a node: a `tap` event. */
  tap(id: string): void
  /** The visible text of the page. */
  text(): string
  /** Detaches the page (runs onUnload) and restores the globals. */
  close(): void
}

type SimNode = NonNullable<ReturnType<RootComponent['querySelector']>>

/** An exparser node, as far as the deep search needs it. */
interface ExparserNode {
  childNodes?: ExparserNode[]
  shadowRoot?: ExparserNode & { querySelector(selector: string): ExparserNode | null }
}

/**
 * querySelector through the page and every custom component inside it: beyond Taro's template
 * depth a subtree renders inside the recursive `comp` component, whose shadow root the page's own
 * querySelector does not enter.
 */
function findDeep(page: RootComponent, selector: string): SimNode | undefined {
  const direct = page.querySelector(selector)
  if (direct) return direct
  // j-component wraps a found exparser node in its (unexported) Component class, RootComponent's parent.
  const Wrapper = Object.getPrototypeOf(Object.getPrototypeOf(page)).constructor as new (node: ExparserNode) => SimNode
  const visit = (node: ExparserNode): ExparserNode | null => {
    const hit = node.shadowRoot?.querySelector(selector)
    if (hit) return hit
    for (const child of [...(node.childNodes ?? []), ...(node.shadowRoot?.childNodes ?? [])]) {
      const found = visit(child)
      if (found) return found
    }
    return null
  }
  const found = visit((page as unknown as { _exparserNode: ExparserNode })._exparserNode)
  return found ? new Wrapper(found) : undefined
}

/**
 * Mini-program `require`: every file is a module with its own `module`/`exports`, loaded once,
 * paths relative to the requiring file, `.js` optional; globals are the app service's.
 */
function createWeappRequire(root: string) {
  const cache = new Map<string, { exports: unknown }>()
  const load = (file: string): unknown => {
    const abs = file.endsWith('.js') ? file : `${file}.js`
    if (!abs.startsWith(root + path.sep)) throw new Error(`weapp-sim: ${abs} is outside the mini-program root ${root}`)
    const cached = cache.get(abs)
    if (cached) return cached.exports
    const mod = { exports: {} as unknown }
    cache.set(abs, mod)
    const code = fs.readFileSync(abs, 'utf8')
    const localRequire = (rel: string) => load(path.resolve(path.dirname(abs), rel))
    // eslint-disable-next-line no-new-func
    const run = new Function('require', 'module', 'exports', ...ABSENT_GLOBALS, `${code}\n//# sourceURL=${abs}`)
    run.call(undefined, localRequire, mod, mod.exports)
    return mod.exports
  }
  return load
}

/**
 * Launches the mini-program in `root` (a Taro weapp output folder) and renders `pagePath`
 * (e.g. `pages/checkout/index`) as WeChat would: app.js (which requires runtime/taro/vendors/common),
 * App onLaunch/onShow, then the page with its wxml compiled by the official compiler.
 */
export function launchPage(root: string, pagePath: string, options: { query?: Record<string, string>; wx?: Parameters<typeof createWxStub>[0] } = {}): LaunchedPage {
  root = path.resolve(root)
  const g = globalThis as unknown as Record<string, unknown>
  const saved = new Map(['wx', 'App', 'getApp', 'getCurrentPages', 'Page', '__wxConfig'].map((k) => [k, g[k]]))
  const stub = createWxStub(options.wx)
  const errors: unknown[] = []

  // miniprogram-simulate installs its own `wx` mock (and Component/Behavior) when first required;
  // the recording stub then takes precedence for every API it defines.
  g.wx = stub.wx
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const simulate: Simulate = require('miniprogram-simulate')
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const simulateUtils = require('miniprogram-simulate/src/utils') as { runJs: (file: string) => unknown }
  g.wx = Object.assign(g.wx as object, stub.wx)

  const appJson = JSON.parse(fs.readFileSync(path.join(root, 'app.json'), 'utf8')) as { pages: string[] }
  if (!appJson.pages.includes(pagePath)) throw new Error(`weapp-sim: ${pagePath} is not a page of ${root}/app.json (${appJson.pages.join(', ')})`)
  g.__wxConfig = { pages: appJson.pages, entryPagePath: `${appJson.pages[0]}.html`, envVersion: 'develop', platform: 'devtools' }

  let app: Record<string, (...args: unknown[]) => unknown> | undefined
  const pages: PageLike[] = []
  g.App = (config: typeof app) => {
    if (app) throw new Error('weapp-sim: App() called twice')
    app = config
  }
  g.getApp = () => app
  g.getCurrentPages = () => pages.slice()
  // A page is a component whose lifetimes drive the page lifecycle, in WeChat's order:
  // onLoad(query) → onShow → onReady; onUnload when it goes away.
  g.Page = (config: Record<string, unknown>) => {
    const methods: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(config)) if (typeof value === 'function') methods[key] = value
    const Component = g.Component as (definition: object) => void
    Component({
      data: config.data ?? {},
      methods,
      lifetimes: {
        attached(this: PageLike & Record<string, (...a: unknown[]) => void>) {
          this.route = pagePath
          pages.push(this)
          this.onLoad?.({ ...(options.query ?? {}) })
          this.onShow?.()
        },
        ready(this: Record<string, (...a: unknown[]) => void>) {
          this.onReady?.()
        },
        detached(this: PageLike & Record<string, (...a: unknown[]) => void>) {
          this.onUnload?.()
          pages.splice(pages.indexOf(this), 1)
        },
      },
    })
  }

  const originalConsoleError = console.error
  console.error = (...args: unknown[]) => {
    errors.push(args.length === 1 ? args[0] : args)
    originalConsoleError(...args)
  }

  const weappRequire = createWeappRequire(root)
  const originalRunJs = simulateUtils.runJs
  simulateUtils.runJs = weappRequire
  try {
    weappRequire(path.join(root, 'app.js'))
    if (!app) throw new Error('weapp-sim: app.js did not call App()')
    const launch = { path: pagePath, query: options.query ?? {}, scene: 1001, referrerInfo: {} }
    app.onLaunch?.call(app, launch)
    app.onShow?.call(app, launch)

    const id = simulate.load(path.join(root, pagePath), { rootPath: root, compiler: 'official' })
    const page = simulate.render(id)
    // The simulator renders into the jsdom of the test environment (the compiled code never sees it).
    const dom = (globalThis as unknown as { document: { createElement(tag: string): HostElement; body: { appendChild(node: HostElement): void } } }).document
    const host = dom.createElement('weapp-sim-page')
    dom.body.appendChild(host)
    page.attach(host)
    const instance = pages[pages.length - 1]
    if (!instance) throw new Error(`weapp-sim: ${pagePath} did not register a page`)
    const mustFind = (id: string) => {
      const node = findDeep(page, `#${id}`)
      if (!node) throw new Error(`weapp-sim: no node #${id} in the rendered page`)
      return node
    }
    return {
      page,
      instance,
      wx: stub,
      errors,
      find: (id) => findDeep(page, `#${id}`),
      input: (id, value) => mustFind(id).dispatchEvent('input', { detail: { value, cursor: value.length, keyCode: 0 } }),
      tap: (id) => mustFind(id).dispatchEvent('tap', { detail: { x: 0, y: 0 } }),
      text: () => page.dom.textContent ?? '',
      close() {
        page.detach()
        host.remove()
        console.error = originalConsoleError
        simulateUtils.runJs = originalRunJs
        for (const [k, v] of saved) g[k] = v
      },
    }
  } catch (error) {
    console.error = originalConsoleError
    simulateUtils.runJs = originalRunJs
    throw error
  }
}

/** Polls `probe` (letting timers and promises run) until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(probe: () => T, what: string, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = probe()
      if (value) return value as NonNullable<T>
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) throw new Error(`weapp-sim: timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
