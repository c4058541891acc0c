import { closeSync, fdatasync, openSync } from 'node:fs'
import { StorageUnavailableError } from './errors'

/**
 * Group commit for one SQLite connection in WAL mode with synchronous=NORMAL: a commit writes its
 * WAL frames without syncing them, and a caller that needs it on disk awaits `durable(seq)`, which
 * `fdatasync`s the WAL file on libuv's thread pool. Every commit made before a sync starts is
 * covered by it, so commits that arrive while one sync runs share the next one, and the event loop
 * never waits on the disk (with synchronous=FULL each commit held it for one fsync).
 *
 * Sound because SQLite appends a commit's frames to the WAL before COMMIT returns (so they are in
 * the page cache when the sync starts), syncs the WAL itself before every checkpoint and the
 * database after it (synchronous=NORMAL), and keeps the WAL's inode for as long as the connection
 * is open. A failed sync rejects its waiters with StorageUnavailableError: nobody is told a write
 * is safe that may not be.
 */
export interface WalSync {
  /** Records a commit that must reach the disk; answers its number. */
  committed(): number
  /** The newest commit number: what a reader may have seen. */
  latest(): number
  /** Settles once commits up to `seq` are on disk; at once when they already are. */
  durable(seq: number): Promise<void> | null
  /** Commits recorded, the newest on disk, syncs run (for tests and the bench). */
  stats(): WalSyncStats
  /** Waits for a sync under way, then closes the WAL handle. */
  close(): Promise<void>
}

export interface WalSyncStats {
  commits: number
  synced: number
  syncs: number
}

export function walSync(walPath: string): WalSync {
  let seq = 0
  let flushed = 0
  let fd: number | null = null
  let running: Promise<void> | null = null
  let syncs = 0

  const handle = (): number => (fd ??= openSync(walPath, 'r'))

  const sync = (): Promise<void> => {
    const upTo = seq
    syncs++
    return new Promise<void>((resolve, reject) => {
      let target: number
      try {
        target = handle()
      } catch (e) {
        reject(new StorageUnavailableError(`cannot open the SQLite WAL ${walPath} to sync it`, { cause: e }))
        return
      }
      fdatasync(target, (err) => {
        if (err) reject(new StorageUnavailableError(`fdatasync of the SQLite WAL failed: ${err.code ?? err.message}`, { cause: err }))
        else {
          if (upTo > flushed) flushed = upTo
          resolve()
        }
      })
    })
  }

  const durable = (target: number): Promise<void> | null => {
    if (target <= flushed) return null
    if (!running) {
      const current = sync()
      running = current
      const clear = () => {
        if (running === current) running = null
      }
      current.then(clear, clear)
    }
    // A sync already under way may have started before this commit: wait for it, then look again.
    return running.then(() => durable(target) ?? undefined)
  }

  return {
    committed: () => ++seq,
    latest: () => seq,
    durable,
    stats: () => ({ commits: seq, synced: flushed, syncs }),
    async close() {
      await running?.catch(() => undefined)
      if (fd !== null) closeSync(fd)
      fd = null
    },
  }
}
