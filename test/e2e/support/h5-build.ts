/** Builds the H5 app in production mode (the dev H5 build is broken without --watch) into .taro-test/. */
import { spawn } from 'node:child_process'
import { join } from 'node:path'

const ROOT = join(__dirname, '../../..')

export function buildH5(outDir: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/taro'), ['build', '--type', 'h5'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', TARO_OUTPUT_ROOT: outDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let log = ''
    child.stdout.on('data', (d) => { log += d })
    child.stderr.on('data', (d) => { log += d })
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`H5 build failed (${code}):\n${log.slice(-3000)}`))))
  })
}
