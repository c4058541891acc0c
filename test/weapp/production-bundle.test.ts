// The production mini-program build (`TARO_APP_API_BASE` set, `wechat` pay mode) carries neither
// the in-app mock backend nor the simulated pay sheet, and stays within its size budget.
// The same markers are looked for in a mock build (empty API base, simulated sheet) built the
// same way, so the check is known to find them when they are there.
import fs from 'node:fs'
import path from 'node:path'
import { BUILD_STAMP, mockBuild, PROD_API_BASE as API_BASE, prodBuild, projectRoot } from './support/build-weapp'

/** Budget for everything WeChat DevTools would upload from the production output. */
const BUDGET_KB = 450

/**
 * Strings that only the development-only modules contain, each checked against its source file
 * first so that a renamed string cannot make the production check pass vacuously.
 */
const MARKERS: Array<{ module: string; source: string; marker: string }> = [
  { module: 'mock backend', source: 'src/services/mock-backend.ts', marker: 'wxpay.mock-backend.v1' },
  { module: 'mock backend', source: 'src/services/mock-backend.ts', marker: 'prepay_id 无效' },
  { module: 'mock backend (onboarding)', source: 'src/services/mock-onboarding.ts', marker: 'wxpay.mock-onboarding.v1' },
  { module: 'mock backend (onboarding)', source: 'src/services/mock-onboarding.ts', marker: '照片已失效，请重新上传' },
  { module: 'simulated payment driver', source: 'src/services/simulated-driver.ts', marker: '模拟的支付失败' },
  { module: 'simulated pay sheet', source: 'src/components/pay-sheet.tsx', marker: '模拟失败' },
  { module: 'simulated pay sheet', source: 'src/components/pay-sheet.tsx', marker: '微信支付（模拟）' },
  { module: 'simulated pay sheet', source: 'src/components/pay-sheet.tsx', marker: 'sheet-confirm' },
  { module: 'simulated pay sheet wiring', source: 'src/services/index.ts', marker: '开发环境模拟支付，不会产生真实扣款' },
]

/** The emulator driver is not in the mock build either (another pay mode); its marker is checked against its source only. */
const EMULATOR_MARKER = { source: 'src/services/emulator-driver.ts', marker: '/__emulator/' }

/** Every file of a build output with its content, the test's own build stamp excepted. */
function readDist(root: string): Array<{ file: string; bytes: number; text: string }> {
  const walk = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]))
  return walk(root)
    .filter((f) => path.basename(f) !== BUILD_STAMP)
    .sort()
    .map((f) => {
      const buf = fs.readFileSync(f)
      return { file: path.relative(root, f), bytes: buf.length, text: buf.toString('utf8') }
    })
}

/** The forms a string takes in minified output: as written, or with non-ASCII as \uXXXX escapes. */
function forms(marker: string): string[] {
  const escape = (upper: boolean) =>
    marker.replace(/[^\x20-\x7e]/g, (c) => {
      const hex = c.charCodeAt(0).toString(16).padStart(4, '0')
      return `\\u${upper ? hex.toUpperCase() : hex}`
    })
  return [...new Set([marker, escape(false), escape(true)])]
}

/** The files of `dist` that contain `marker` in any of its forms. */
function filesWith(dist: ReturnType<typeof readDist>, marker: string): string[] {
  const variants = forms(marker)
  return dist.filter((f) => variants.some((v) => f.text.includes(v))).map((f) => f.file)
}

let prod: ReturnType<typeof readDist>
let mock: ReturnType<typeof readDist>

beforeAll(async () => {
  const [prodRoot, mockRoot] = await Promise.all([prodBuild(), mockBuild()])
  prod = readDist(prodRoot)
  mock = readDist(mockRoot)
})

describe('production weapp build', () => {
  it.each(MARKERS.map((m) => [m.module, m.marker, m.source]))('%s marker %j is in its source and in the mock build', (_module, marker, source) => {
    expect(fs.readFileSync(path.join(projectRoot, source), 'utf8')).toContain(marker)
    expect(filesWith(mock, marker)).not.toEqual([])
  })

  it('contains none of the mock backend and simulated payment markers', () => {
    const found = MARKERS.map((m) => ({ ...m, files: filesWith(prod, m.marker) })).filter((m) => m.files.length > 0)
    expect(found).toEqual([])
  })

  it('contains no emulator driver and no loopback address', () => {
    expect(fs.readFileSync(path.join(projectRoot, EMULATOR_MARKER.source), 'utf8')).toContain(EMULATOR_MARKER.marker)
    expect(filesWith(prod, EMULATOR_MARKER.marker)).toEqual([])
    expect(filesWith(prod, '127.0.0.1')).toEqual([])
  })

  it('is wired to the configured backend', () => {
    expect(filesWith(prod, API_BASE)).not.toEqual([])
  })

  it(`fits the ${BUDGET_KB} KB budget`, () => {
    const total = prod.reduce((sum, f) => sum + f.bytes, 0)
    const table = prod.map((f) => `${(f.bytes / 1024).toFixed(1).padStart(8)} KB  ${f.file}`).join('\n')
    console.log(`production weapp build, ${prod.length} files:\n${table}\n${(total / 1024).toFixed(1).padStart(8)} KB  total (budget ${BUDGET_KB} KB)`)
    expect(total / 1024).toBeLessThanOrEqual(BUDGET_KB)
  })
})
