import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { emptyData, type EmulatorData } from './types'

/** Keep the delivery log bounded so a long-running emulator does not grow without limit. */
export const MAX_DELIVERIES = 5000

/** Where the emulator keeps its state: memory, optionally mirrored to a JSON file. */
export interface StateStore {
  data: EmulatorData
  /** Marks the state changed; a file store writes it (atomically) before the next tick ends. */
  save(): void
  /** Writes now (used at close). */
  flush(): void
}

/** Memory only: state is lost at exit (the default). */
export function createMemoryStore(data: EmulatorData = emptyData()): StateStore {
  return { data, save() {}, flush() {} }
}

/** Reads `path` if it exists and writes every change back atomically (temp file + rename). */
export function createFileStore(path: string): StateStore {
  let data: EmulatorData
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as EmulatorData
    if (parsed?.version !== 1) throw new Error(`unsupported state version ${String(parsed?.version)}`)
    data = { ...emptyData(), ...parsed }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read emulator state ${path}: ${(e as Error).message}`)
    data = emptyData()
  }
  let pending = false
  const write = () => {
    pending = false
    mkdirSync(dirname(path), { recursive: true })
    const tmp = `${path}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(data))
    renameSync(tmp, path)
  }
  return {
    data,
    save() {
      if (pending) return
      pending = true
      setImmediate(() => {
        if (pending) write()
      })
    },
    flush() {
      write()
    },
  }
}
