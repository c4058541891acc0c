// Babel for the mini-program (Taro build and the app's jest tests).
// Server code is run by tsx and tested with babel.server.config.js.
module.exports = {
  presets: [
    ['taro', {
      framework: 'react',
      ts: true,
      compiler: 'webpack5',
    }],
  ],
}
