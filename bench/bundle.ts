/**
 * Section 5 of the benchmark: the production weapp package against the default Taro template
 * built with the same Taro, webpack and Babel in the same run, and the H5 JS gzip size.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { gzipSync } from 'node:zlib'
import { taroBuild } from '../test/support/taro-build'

const ROOT = join(__dirname, '..')

export interface FileSize { file: string; bytes: number }

/** Every file under a directory with its size, largest first. */
export function filesOf(dir: string): FileSize[] {
  const out: FileSize[] = []
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else out.push({ file: relative(dir, p), bytes: statSync(p).size })
    }
  }
  walk(dir)
  return out.sort((a, b) => b.bytes - a.bytes)
}

const total = (files: FileSize[]) => files.reduce((s, f) => s + f.bytes, 0)

export async function benchBundle() {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-bundle-'))
  try {
    // The baseline: bench/taro-default in a scratch folder, sharing the project's node_modules.
    const baseline = join(scratch, 'taro-default')
    cpSync(join(ROOT, 'bench/taro-default'), baseline, { recursive: true })
    cpSync(join(ROOT, 'package.json'), join(baseline, 'package.json'))
    symlinkSync(join(ROOT, 'node_modules'), join(baseline, 'node_modules'))
    const ours = join(scratch, 'weapp')
    const h5 = join(scratch, 'h5')
    const prodEnv = { TARO_APP_API_BASE: 'https://api.example.com', TARO_APP_PAY_MODE: 'wechat' }

    // Sequential on purpose: two webpack builds at once on 2 cores would only blur the timings.
    const oursMs = (await taroBuild({ type: 'weapp', env: { ...prodEnv, TARO_OUTPUT_ROOT: ours } })).ms
    const baselineMs = (await taroBuild({ type: 'weapp', cwd: baseline })).ms
    const h5Ms = (await taroBuild({ type: 'h5', env: { ...prodEnv, TARO_OUTPUT_ROOT: h5 } })).ms

    const oursFiles = filesOf(ours)
    const baselineFiles = filesOf(join(baseline, 'dist'))
    const h5Js = filesOf(h5).filter((f) => f.file.endsWith('.js'))
    const h5JsGzip = h5Js.reduce((s, f) => s + gzipSync(readFileSync(join(h5, f.file)), { level: 9 }).length, 0)
    return {
      weapp: { totalBytes: total(oursFiles), files: oursFiles, buildMs: oursMs },
      baseline: { totalBytes: total(baselineFiles), files: baselineFiles, buildMs: baselineMs },
      h5: { jsBytes: total(h5Js), jsGzipBytes: h5JsGzip, buildMs: h5Ms },
      ratio: total(oursFiles) / total(baselineFiles),
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}
