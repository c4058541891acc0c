// Compiles a mini-program folder with WeChat's miniprogram-ci, offline, in its own process (the CI
// leaves watchers and workers behind, so the process exits when done). The project attributes that
// the CI would fetch from WeChat are its own defaults (DefaultProjectAttr). Prints one JSON line:
// { ok: true, files: [...] } or { ok: false, error }.
// usage: node ci-compile.js <projectPath> <appid> <privateKeyPath>
const [projectPath, appid, privateKeyPath] = process.argv.slice(2)
const out = (o) => {
  process.stdout.write(`\n${JSON.stringify(o)}\n`)
  process.exit(0)
}
for (const m of ['log', 'info', 'debug', 'warn', 'error']) console[m] = () => {}
process.on('unhandledRejection', (e) => out({ ok: false, error: String((e && (e.errMsg || e.message)) || e) }))
const ci = require('miniprogram-ci')
const project = new ci.Project({ appid, type: 'miniProgram', projectPath, privateKeyPath, ignores: ['node_modules/**/*'] })
project._project.attr = async () => ci.DefaultProjectAttr
ci.getCompiledResult({ project, setting: JSON.parse(process.env.CI_SETTING || '{}'), onProgressUpdate: () => {} })
  .then((files) => out({ ok: true, files: Object.keys(files).sort() }))
  .catch((e) => out({ ok: false, error: String((e && (e.errMsg || e.message)) || e) }))
