/** A tiny static file server for the H5 build (hash router, so no history fallback is needed). */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
}
/** The files whose text `substitute` applies to. */
const TEXT = new Set(['.html', '.js', '.css', '.json'])

export interface StaticServer { url: string; close(): Promise<void> }

/**
 * Serves `root` on 127.0.0.1 (a free port). `substitute` maps strings to what replaces every
 * occurrence of them in the text files served (see h5-build.ts); a build that lacks one of them
 * is refused at once, so a renamed placeholder cannot leave the app pointing nowhere.
 */
export function serveStatic(root: string, substitute: Record<string, string> = {}): Promise<StaticServer> {
  const pairs = Object.entries(substitute)
  if (pairs.length) {
    const js = readdirText(root)
    const missing = pairs.filter(([from]) => !js.includes(from)).map(([from]) => from)
    if (missing.length) return Promise.reject(new Error(`serveStatic: ${root} contains none of ${missing.join(', ')}`))
  }
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    let file = normalize(join(root, path))
    if (!file.startsWith(root)) {
      res.writeHead(403).end()
      return
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html')
    if (!existsSync(file)) {
      res.writeHead(404).end('not found')
      return
    }
    let body: Buffer | string = readFileSync(file)
    if (pairs.length && TEXT.has(extname(file))) body = pairs.reduce((text, [from, to]) => text.split(from).join(to), body.toString('utf8'))
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' })
    res.end(body)
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port: bound } = server.address() as AddressInfo
      resolve({ url: `http://127.0.0.1:${bound}`, close: () => new Promise((r) => server.close(() => r())) })
    })
  })
}

/** The text of every .js file under `dir`, joined. */
function readdirText(dir: string): string {
  return readdirRecursive(dir).filter((f) => extname(f) === '.js').map((f) => readFileSync(f, 'utf8')).join('\n')
}

function readdirRecursive(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? readdirRecursive(join(dir, e.name)) : [join(dir, e.name)]))
}
