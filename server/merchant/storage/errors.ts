/**
 * Storage failures a caller can act on. `StorageUnavailableError`: the database could not be reached
 * (refused, reset, shut down, timed out): nothing the request did is wrong, so the app answers 503
 * and the same request may succeed once the database is back (the pools reconnect by themselves).
 */
export class StorageUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StorageUnavailableError'
  }
}

/** True for a StorageUnavailableError (also across module copies, by name). */
export function isStorageUnavailable(e: unknown): e is StorageUnavailableError {
  return e instanceof StorageUnavailableError || (e instanceof Error && e.name === 'StorageUnavailableError')
}
