/** One production Taro build as a child process: the single place tests and benchmarks build the app. */
import { spawn } from 'node:child_process'
import { join } from 'node:path'

const PROJECT_ROOT = join(__dirname, '../..')
const TARO = join(PROJECT_ROOT, 'node_modules/@tarojs/cli/bin/taro')

export interface TaroBuildOptions {
  type: 'weapp' | 'h5'
  /** Folder holding the Taro project (default: this project). */
  cwd?: string
  /** Added to process.env; NODE_ENV is always production (the dev H5 build is broken without --watch). */
  env?: Record<string, string>
}

/** Runs `taro build --type <type>`; resolves with its output and wall time, rejects with the output's tail. */
export function taroBuild({ type, cwd = PROJECT_ROOT, env = {} }: TaroBuildOptions): Promise<{ output: string; ms: number }> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TARO, 'build', '--type', type], {
      cwd,
      env: { ...process.env, ...env, NODE_ENV: 'production', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      // Taro prints webpack errors yet may exit 0; a failed compile is a failed build.
      if (code !== 0 || /Failed to compile|ERROR in /.test(output)) reject(new Error(`taro build --type ${type} in ${cwd} failed (exit ${code})\n${output.slice(-4000)}`))
      else resolve({ output, ms: Date.now() - started })
    })
  })
}
