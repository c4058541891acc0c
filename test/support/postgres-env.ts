// setupFiles of the `postgres` jest project: the merchant suites it runs store in PostgreSQL
// (testDatabaseUrl() then gives each test a fresh database on the run's embedded server).
process.env.TEST_DATABASE = 'postgres'
