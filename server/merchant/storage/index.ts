import { ConfigError } from '../errors'
import { openSqliteStorage } from './sqlite'
import type { Storage } from './types'

export * from './types'

/** Opens (and migrates) the storage a DATABASE_URL names: `sqlite:` (the default) or `postgres://`. */
export async function openStorage(databaseUrl: string): Promise<Storage> {
  if (databaseUrl.startsWith('sqlite:')) return openSqliteStorage(databaseUrl)
  // TODO(pg helper): postgres:// and postgresql:// open ./postgres (lazily imported).
  throw new ConfigError(`DATABASE_URL is malformed: only sqlite:<path> is supported, got scheme "${databaseUrl.split(':')[0]}"`)
}
