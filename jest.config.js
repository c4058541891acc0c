// One `npm test` runs every layer. Each project is a test layer with its own environment.
const serverTransform = { '^.+\\.[jt]sx?$': ['babel-jest', { configFile: './babel.server.config.js' }] }

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'app',
      testEnvironment: 'jsdom',
      roots: ['<rootDir>/test/app'],
      moduleNameMapper: {
        '^@/(.*)$': '<rootDir>/src/$1',
        '\\.(css|scss)$': '<rootDir>/test/app/support/style-stub.js',
      },
    },
    {
      displayName: 'server',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/wechatpay', '<rootDir>/test/emulator', '<rootDir>/test/merchant'],
      transform: serverTransform,
    },
  ],
}
