// ESLint's and typescript-eslint's recommended rules, type-aware where it pays (promises), and the
// layer boundaries (style.md §2.2): pages → store → services; lib anywhere; server parts apart.
module.exports = {
  root: true,
  parser: '@typescript-eslint/parser',
  parserOptions: {
    ecmaVersion: 2022,
    sourceType: 'module',
    ecmaFeatures: { jsx: true },
    // Type information for no-floating-promises / no-misused-promises: every linted file is in one of these.
    project: ['./tsconfig.json', './tsconfig.server.json'],
    tsconfigRootDir: __dirname,
  },
  extends: ['eslint:recommended', 'plugin:@typescript-eslint/recommended'],
  plugins: ['@typescript-eslint', 'import', 'react-hooks'],
  settings: { 'import/resolver': { typescript: { project: ['tsconfig.json', 'tsconfig.server.json'] } } },
  ignorePatterns: ['dist/', '.taro-test/', 'node_modules/', 'bench/taro-default/', '*.config.js', '.eslintrc.js'],
  reportUnusedDisableDirectives: true,
  rules: {
    '@typescript-eslint/no-floating-promises': 'error',
    '@typescript-eslint/no-misused-promises': 'error',
    // A leading underscore marks a deliberately unused binding (a rest sibling dropped, a fixed parameter).
    '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    'react-hooks/rules-of-hooks': 'error',
    'import/no-restricted-paths': ['error', {
      zones: [
        { target: './src/lib', from: ['./src/pages', './src/store', './src/services', './src/components'], message: 'lib is pure' },
        { target: './src/services', from: ['./src/pages', './src/store', './src/components'], message: 'services never import UI or store' },
        { target: './src/store', from: ['./src/pages', './src/components'], message: 'the store never imports UI' },
        { target: './src', from: ['./server'], message: 'no server code (or secret) in the mini-program' },
        { target: './src/contract', from: ['./src/pages', './src/store', './src/services', './src/components', './src/lib', './src/hooks'], message: 'the contract stands alone: both the app and the backend import it' },
        { target: './server', from: './src', except: ['./contract'], message: 'the server shares only src/contract with the app' },
        { target: './server/wechatpay', from: ['./server/merchant', './server/emulator'], message: 'the protocol library stands alone' },
        { target: './server/merchant', from: ['./server/emulator'], message: 'the backend never imports the emulator' },
        { target: './server/emulator', from: ['./server/merchant'], message: 'the emulator never imports the backend' },
      ],
    }],
  },
  overrides: [
    {
      files: ['src/pages/**', 'src/components/**', 'src/store/**', 'src/hooks/**'],
      rules: {
        'no-restricted-syntax': ['error',
          { selector: "MemberExpression[object.name='Taro'][property.name=/^(request|login|requestPayment|uploadFile|downloadFile|chooseMedia|chooseImage)$/]", message: 'only src/services adapters call Taro.request / login / requestPayment / uploadFile / chooseMedia' },
          { selector: "CallExpression[callee.name='fetch']", message: 'only src/services adapters do I/O' },
        ],
      },
    },
    {
      // The protocol library stands alone (style.md §2.2): node: built-ins and its own modules only.
      files: ['server/wechatpay/**'],
      rules: {
        'no-restricted-syntax': ['error',
          { selector: 'ImportDeclaration[source.value=/^(?!node:|\\.)/]', message: 'server/wechatpay imports only node: built-ins' },
          { selector: 'ExportNamedDeclaration[source.value=/^(?!node:|\\.)/]', message: 'server/wechatpay imports only node: built-ins' },
          { selector: 'ExportAllDeclaration[source.value=/^(?!node:|\\.)/]', message: 'server/wechatpay imports only node: built-ins' },
          { selector: 'ImportExpression[source.value=/^(?!node:|\\.)/]', message: 'server/wechatpay imports only node: built-ins' },
          { selector: "CallExpression[callee.name='require']", message: 'server/wechatpay imports only node: built-ins' },
        ],
      },
    },
    {
      // jest.mock factories and jest.isolateModules load modules with require().
      files: ['test/**'],
      rules: { '@typescript-eslint/no-var-requires': 'off' },
    },
  ],
}
