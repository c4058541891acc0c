// The merchant backend compiled to CommonJS JavaScript, for the tests that start it as a child
// process again and again (restart, crash): `node --import tsx` transpiles every module at every
// start, which made each restart cost seconds. The sources are the same; TypeScript's own transpiler
// turns them into the module format tsconfig.server.json names (no type check: tsc and lint do that).
import fs from 'node:fs'
import path from 'node:path'
import ts from 'typescript'

const ROOT = path.resolve(__dirname, '../..')
/** What the backend imports: itself, the protocol library and the app↔backend contract. */
const SOURCES = ['server/merchant', 'server/wechatpay', 'src/contract']

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) return tsFiles(p)
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : []
  })
}

/** Node's module search path for the compiled copy: this project's packages. */
export const COMPILED_NODE_PATH = path.join(ROOT, 'node_modules')

/** Compiles the backend into `outDir`; answers the entry to run as `node <entry>` with NODE_PATH=COMPILED_NODE_PATH. */
export function compileServer(outDir: string): string {
  const compilerOptions: ts.CompilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true }
  for (const source of SOURCES) {
    for (const file of tsFiles(path.join(ROOT, source))) {
      const out = path.join(outDir, path.relative(ROOT, file)).replace(/\.ts$/, '.js')
      fs.mkdirSync(path.dirname(out), { recursive: true })
      fs.writeFileSync(out, ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions, fileName: file }).outputText)
    }
  }
  return path.join(outDir, 'server/merchant/server.js')
}
