import { ConfigError } from '../errors'
import { openSqliteStorage } from './sqlite'
import type { Storage } from './types'

export * from './types'

/** Opens the storage a DATABASE_URL names. Only `sqlite:` today; another scheme is one more branch. */
export function openStorage(databaseUrl: string): Storage {
  if (databaseUrl.startsWith('sqlite:')) return openSqliteStorage(databaseUrl)
  throw new ConfigError(`DATABASE_URL is malformed: only sqlite:<path> is supported, got scheme "${databaseUrl.split(':')[0]}"`)
}
