// Runs a compiled Taro weapp output (the files WeChat DevTools would upload) inside
// miniprogram-simulate: each page's .wxml is compiled by the official wcc compiler shipped in
// miniprogram-compiler, the .js files run with the mini-program's module semantics, and a small
// shim provides what the WeChat client provides (App, getApp, getCurrentPages, Page, the page
// stack and its navigation APIs, and a recording `wx`).
import fs from 'node:fs'
import path from 'node:path'
import { createWxStub, type NavigationApi } from './wx-stub'

type Simulate = typeof import('miniprogram-simulate')
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RootComponent = import('miniprogram-simulate').RootComponent<any, any, any>
type SimNode = NonNullable<ReturnType<RootComponent['querySelector']>>
type HostElement = { remove(): void }
type Lifecycle = (...args: unknown[]) => unknown
/** A page instance, as `this` in its methods and in getCurrentPages(). */
type PageInstance = Record<string, unknown> & { route?: string; options?: Record<string, string> }

/** Identifiers a mini-program's JS never sees (no Node, no browser); shadowed while compiled code runs. */
const ABSENT_GLOBALS = ['process', 'window', 'document', 'navigator', 'location', 'self', '__dirname', '__filename']

/** WeChat's page stack limit. */
const MAX_PAGES = 10

/** One page on the stack: the simulator's component and the page instance inside it. */
export interface SimPage {
  route: string
  query: Record<string, string>
  component: RootComponent
  instance: PageInstance
}

/** A launched mini-program. Node helpers act on the page on top of the stack. */
export interface SimApp {
  wx: ReturnType<typeof createWxStub>
  /** Every error the compiled code reported through console.error. */
  errors: unknown[]
  /** The page stack, bottom first (what getCurrentPages() returns, as simulator pages). */
  pages(): SimPage[]
  /** The page on top of the stack. */
  top(): SimPage
  /** The rendered node with this id on the top page (Taro renders `id="{{i.uid||i.sid}}"`), also inside nested `comp` components. */
  find(id: string): SimNode | undefined
  /** Types `value` into an input: an `input` event with `detail.value`, as the WeChat client sends. */
  input(id: string, value: string): void
  /** Leaves an input: a `blur` event with its current value. */
  blur(id: string): void
  /**
   * Taps a node: a `tap` event, unless the node is `disabled` (the WeChat client fires no tap on
   * a disabled button or input); returns whether the tap was delivered.
   */
  tap(id: string): boolean
  /** A rendered attribute of a node, as the compiled wxml set it (e.g. `disabled`, `value`). */
  attr(id: string, name: string): unknown
  /** The visible text of the top page. */
  text(): string
  /** Unloads every page and restores the globals. */
  close(): void
}

/** The value an attribute of a rendered node got from the compiled template (j-component keeps it on the node's virtual tree). */
function attrOf(node: SimNode, name: string): unknown {
  const vt = (node as unknown as { _exparserNode: { _vt?: { attrs?: Array<{ name: string; value: unknown }> } } })._exparserNode._vt
  return vt?.attrs?.find((a) => a.name === name)?.value
}

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
 * Mini-program `require`: every file is a module with its own `module`/`exports`, run once,
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
    const run = new Function('require', 'module', 'exports', ...ABSENT_GLOBALS, `${code}\n//# sourceURL=${abs}`)
    run.call(undefined, localRequire, mod, mod.exports)
    return mod.exports
  }
  return load
}

/** '/pages/result/index?orderNo=1' → route and query. */
function parseUrl(url: string): { route: string; query: Record<string, string> } {
  const [pathPart, search = ''] = url.split('?')
  return { route: pathPart.replace(/^\//, ''), query: Object.fromEntries(new URLSearchParams(search)) }
}

/**
 * Launches the mini-program in `root` (a Taro weapp output folder) on `entry` (e.g.
 * `pages/checkout/index`) as WeChat would: app.js (which requires runtime/taro/vendors/common),
 * App onLaunch/onShow, then the page, its wxml compiled by the official compiler. Navigation APIs
 * (navigateTo, redirectTo, reLaunch, navigateBack) really switch pages on the simulated stack.
 */
export function launchApp(root: string, entry: string, options: { query?: Record<string, string>; wx?: Parameters<typeof createWxStub>[0] } = {}): SimApp {
  root = path.resolve(root)
  const g = globalThis as unknown as Record<string, unknown>
  const stub = createWxStub(options.wx)
  const errors: unknown[] = []

  // miniprogram-simulate defines Component/Behavior and its `wx` API mock when first required.
  // Each launch gets a fresh `wx` object (so no webpackJsonp or other state leaks between launches):
  // the simulator's mock for everything, the recording stub for what the app uses.
  const simulate: Simulate = require('miniprogram-simulate')
  const simulateApi = require('miniprogram-simulate/src/api') as object
  const simulateUtils = require('miniprogram-simulate/src/utils') as { runJs: (file: string) => unknown }
  const saved = new Map(['wx', 'App', 'getApp', 'getCurrentPages', 'Page', 'Component', '__wxConfig'].map((k) => [k, g[k]]))
  g.wx = Object.assign({}, simulateApi, stub.wx)

  const appJson = JSON.parse(fs.readFileSync(path.join(root, 'app.json'), 'utf8')) as { pages: string[] }
  const isPage = (route: string) => appJson.pages.includes(route)
  if (!isPage(entry)) throw new Error(`weapp-sim: ${entry} is not a page of ${root}/app.json (${appJson.pages.join(', ')})`)
  g.__wxConfig = { pages: appJson.pages, entryPagePath: `${entry}.html`, envVersion: 'develop', platform: 'devtools' }

  let app: Record<string, Lifecycle> | undefined
  const stack: Array<SimPage & { host: HostElement }> = []
  g.App = (config: typeof app) => {
    if (app) throw new Error('weapp-sim: App() called twice')
    app = config
  }
  g.getApp = () => app
  g.getCurrentPages = () => stack.map((p) => p.instance)

  // A file's JS runs once per app, as in WeChat; the simulator needs a Component() call for every
  // component it loads, so each file's registration is recorded and replayed for later loads.
  const simComponent = saved.get('Component') as (definition: object) => void
  const registrations = new Map<string, () => void>()
  let runningFile: string | null = null
  // The page being opened: its route and query, read by the page lifetimes below.
  let opening: { route: string; query: Record<string, string>; instance?: PageInstance } | null = null

  g.Component = (definition: object) => {
    if (runningFile) registrations.set(runningFile, () => simComponent(definition))
    simComponent(definition)
  }
  // A page is a component whose lifetimes drive the page lifecycle, in WeChat's order:
  // onLoad(query) → onShow → onReady; onUnload when it goes away.
  const registerPage = (config: Record<string, unknown>) => {
    const methods: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(config)) if (typeof value === 'function') methods[key] = value
    simComponent({
      data: config.data ?? {},
      methods,
      lifetimes: {
        attached(this: PageInstance & Record<string, Lifecycle>) {
          if (!opening) throw new Error('weapp-sim: a page attached outside a navigation')
          this.route = opening.route
          this.options = opening.query
          opening.instance = this
          this.onLoad?.({ ...opening.query })
          this.onShow?.()
        },
        ready(this: Record<string, Lifecycle>) {
          this.onReady?.()
        },
        detached(this: Record<string, Lifecycle>) {
          this.onUnload?.()
        },
      },
    })
  }
  g.Page = (config: Record<string, unknown>) => {
    if (runningFile) registrations.set(runningFile, () => registerPage(config))
    registerPage(config)
  }

  const weappRequire = createWeappRequire(root)
  const originalRunJs = simulateUtils.runJs
  simulateUtils.runJs = (file: string) => {
    const key = path.resolve(file).replace(/\.js$/, '')
    const replay = registrations.get(key)
    if (replay) return replay()
    runningFile = key
    try {
      weappRequire(key)
    } finally {
      runningFile = null
    }
  }

  const originalConsoleError = console.error
  console.error = (...args: unknown[]) => {
    errors.push(args.length === 1 ? args[0] : args)
    originalConsoleError(...args)
  }
  // The simulator renders into the jsdom of the test environment (the compiled code never sees it).
  const dom = (globalThis as unknown as { document: { createElement(tag: string): HostElement; body: { appendChild(node: HostElement): void } } }).document

  const open = (route: string, query: Record<string, string>) => {
    if (!isPage(route)) throw new Error(`page "${route}" is not found`)
    if (stack.length >= MAX_PAGES) throw new Error('webview count limit exceed')
    opening = { route, query }
    try {
      const id = simulate.load(path.join(root, route), { rootPath: root, compiler: 'official' })
      const component = simulate.render(id) as RootComponent
      const host = dom.createElement('weapp-sim-page')
      dom.body.appendChild(host)
      component.attach(host as unknown as Parameters<RootComponent['attach']>[0])
      const instance = opening.instance
      if (!instance) throw new Error(`weapp-sim: ${route} did not register a page`)
      stack.push({ route, query, component, instance, host })
    } finally {
      opening = null
    }
  }
  const unload = () => {
    const page = stack.pop()
    if (!page) return
    page.component.detach()
    page.host.remove()
  }
  const topPage = () => {
    const page = stack[stack.length - 1]
    if (!page) throw new Error('weapp-sim: no page is open')
    return page
  }
  const call = (target: unknown, name: string) => (target as Record<string, Lifecycle | undefined>)[name]?.call(target)

  stub.hooks.navigate = (api: NavigationApi, url: string | undefined, delta: number) => {
    if (api === 'navigateBack') {
      if (stack.length < 2) throw new Error('cannot navigate back at first page')
      for (let i = 0; i < Math.min(delta, stack.length - 1); i++) unload()
      call(topPage().instance, 'onShow')
      return
    }
    if (!url) throw new Error('parameter.url should be String')
    const { route, query } = parseUrl(url)
    if (!isPage(route)) throw new Error(`page "${route}" is not found`)
    if (api === 'navigateTo') call(topPage().instance, 'onHide')
    if (api === 'redirectTo') unload()
    if (api === 'reLaunch' || api === 'switchTab') while (stack.length) unload()
    open(route, query)
  }

  const restore = () => {
    console.error = originalConsoleError
    simulateUtils.runJs = originalRunJs
    for (const [k, v] of saved) g[k] = v
  }
  try {
    weappRequire(path.join(root, 'app.js'))
    if (!app) throw new Error('weapp-sim: app.js did not call App()')
    const launch = { path: entry, query: options.query ?? {}, scene: 1001, referrerInfo: {} }
    app.onLaunch?.call(app, launch)
    app.onShow?.call(app, launch)
    open(entry, options.query ?? {})
  } catch (error) {
    restore()
    throw error
  }

  const mustFind = (id: string) => {
    const node = findDeep(topPage().component, `#${id}`)
    if (!node) throw new Error(`weapp-sim: no node #${id} on ${topPage().route}`)
    return node
  }
  return {
    wx: stub,
    errors,
    pages: () => stack.map(({ host: _host, ...page }) => page),
    top: () => {
      const { host: _host, ...page } = topPage()
      return page
    },
    find: (id) => findDeep(topPage().component, `#${id}`),
    input: (id, value) => mustFind(id).dispatchEvent('input', { detail: { value, cursor: value.length, keyCode: 0 } }),
    blur: (id) => mustFind(id).dispatchEvent('blur', { detail: { value: attrOf(mustFind(id), 'value') ?? '' } }),
    tap: (id) => {
      const node = mustFind(id)
      if (attrOf(node, 'disabled') === true) return false
      node.dispatchEvent('tap', { detail: { x: 0, y: 0 } })
      return true
    },
    attr: (id, name) => attrOf(mustFind(id), name),
    // Typed structurally: with src/services in the server typecheck, the DOM types here come from j-component's own d.ts.
    text: () => (topPage().component?.dom as { textContent?: string | null } | undefined)?.textContent ?? '',
    close() {
      stub.hooks.navigate = undefined
      while (stack.length) unload()
      restore()
    },
  }
}

/** Polls `probe` (letting timers and promises run) until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(probe: () => T, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
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
