import { ConfigError } from '../errors'
import { openSqliteStorage } from './sqlite'
import type { Storage } from './types'

export * from './types'
export { StorageUnavailableError, isStorageUnavailable } from './errors'

/** Opens (and migrates) the storage a DATABASE_URL names: `sqlite:` (the default), `postgres://` or `postgresql://`. */
export async function openStorage(databaseUrl: string): Promise<Storage> {
  if (databaseUrl.startsWith('sqlite:')) return openSqliteStorage(databaseUrl)
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    // Loaded only when used: a SQLite deployment never loads the pg driver.
    const { openPostgresStorage } = await import('./postgres')
    return openPostgresStorage(databaseUrl)
  }
  throw new ConfigError(`DATABASE_URL is malformed: expected sqlite:<path>, postgres:// or postgresql://, got scheme "${databaseUrl.split(':')[0]}"`)
}
