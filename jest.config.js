// One `npm test` runs every layer. Each project is a test layer with its own environment.
const { existsSync } = require('node:fs')
const path = require('node:path')

// A layer whose folder does not exist yet simply has no tests (jest rejects missing roots).
const roots = (...dirs) => dirs.filter((d) => existsSync(path.join(__dirname, d))).map((d) => `<rootDir>/${d}`)
const serverTransform = { '^.+\\.[jt]sx?$': ['babel-jest', { configFile: './babel.server.config.js' }] }

/** @type {import('jest').Config} */
module.exports = {
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  // Jest's default on a 2-core machine is one worker, i.e. every suite in band, one after another.
  // Many of the slow suites wait on child processes or timers (Taro builds, miniprogram-ci, a
  // browser, a restarted backend): three suites side by side keep both cores busy.
  maxWorkers: 3,
  // The suites that make the shared Taro builds first, then the long waiting ones (sequencer.js).
  testSequencer: '<rootDir>/test/support/sequencer.js',
  // This run's RSA test keys, generated once for every worker (test/support/test-keys.ts).
  globalSetup: '<rootDir>/test/support/global-setup.js',
  projects: [
    {
      // Pure units, the payment store, services and page components (RTL on mocked Taro components).
      displayName: 'app',
      testEnvironment: 'jsdom',
      roots: roots('test/app'),
      moduleNameMapper: {
        '^@/(.*)$': '<rootDir>/src/$1',
        '\\.(css|scss)$': '<rootDir>/test/app/support/style-stub.js',
      },
    },
    {
      // Protocol library, emulator and merchant backend: real cryptography, real HTTP on loopback.
      displayName: 'server',
      testEnvironment: 'node',
      roots: roots('test/wechatpay', 'test/emulator', 'test/merchant'),
      // The storage suites test both engines themselves: they run in the postgres project only.
      testPathIgnorePatterns: ['/node_modules/', '/test/merchant/storage[^/]*\\.test\\.ts$'],
      transform: serverTransform,
      // Fastify's app.inject loads light-my-request, which requires the ESM-only `cookie` 2: transform it.
      transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
      setupFilesAfterEnv: ['<rootDir>/test/support/server-jest-setup.ts'],
      // The contract test drives the app's own backends (src/services) against the real one.
      moduleNameMapper: { '^@/(.*)$': '<rootDir>/src/$1' },
    },
    {
      // Merchant suites on PostgreSQL: one embedded server per run (globalSetup), a fresh database per
      // test (test/support/database.ts, TEST_DATABASE=postgres). The storage suites run both engines.
      displayName: 'postgres',
      testEnvironment: 'node',
      roots: roots('test/merchant'),
      // The storage suites, plus the suites of whole flows whose answers depend on storage. Suites of
      // pure rules, config, input fuzzing, SQLite files (restart, crash) and the multi-process suites
      // (their own PostgreSQL, in the server layer) run once, in the server layer.
      testMatch: [
        '<rootDir>/test/merchant/storage*.test.ts',
        '<rootDir>/test/merchant/routes/*.test.ts',
        ...['payment', 'orders', 'notify', 'reconciler', 'refunds', 'refund-safety', 'stray-refund', 'contract', 'session', 'http-errors', 'applications', 'applications-input', 'applications-modes', 'splits-auto', 'splits-manual', 'scenarios'].map(
          (name) => `<rootDir>/test/merchant/${name}.test.ts`,
        ),
      ],
      transform: serverTransform,
      transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
      globalSetup: '<rootDir>/test/support/postgres-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/postgres-global-teardown.ts',
      setupFiles: ['<rootDir>/test/support/postgres-env.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/server-jest-setup.ts'],
      moduleNameMapper: { '^@/(.*)$': '<rootDir>/src/$1' },
    },
    {
      // The compiled weapp output rendered in miniprogram-simulate with the official wxml compiler.
      displayName: 'weapp',
      testEnvironment: 'node',
      roots: roots('test/weapp'),
      testMatch: ['**/*.test.[jt]s'],
      transform: serverTransform,
      // Suites build the mini-program with the Taro CLI first: 180 s per test and hook (jest-setup).
      setupFilesAfterEnv: ['<rootDir>/test/weapp/support/jest-setup.ts'],
    },
    {
      // The H5 production build in headless Chromium against a real backend and emulator.
      displayName: 'e2e',
      testEnvironment: 'node',
      roots: roots('test/e2e'),
      testMatch: ['**/*.test.[jt]s'],
      transform: serverTransform,
    },
  ],
}
