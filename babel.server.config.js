// Babel for jest on server-side TypeScript (server/, scripts/, bench/ and their tests).
module.exports = {
  presets: [
    ['@babel/preset-env', { targets: { node: 'current' } }],
    '@babel/preset-typescript',
  ],
}
