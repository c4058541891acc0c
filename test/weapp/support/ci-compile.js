// Compiles mini-program folders with WeChat's miniprogram-ci, offline, in one process of its own:
// loading the CI and its compile worker costs seconds, so every compile of a suite shares one load,
// one after another (the CI leaves watchers and workers behind, so the process exits when done).
// The project attributes that the CI would fetch from WeChat are its own defaults (DefaultProjectAttr).
// Prints one JSON line: an array with, for each job in order, { ok: true, files: [...] } or { ok: false, error }.
// usage: CI_JOBS='[{"projectPath":"…","setting":{…}}, …]' node ci-compile.js <appid> <privateKeyPath>
const [appid, privateKeyPath] = process.argv.slice(2)
const jobs = JSON.parse(process.env.CI_JOBS || '[]')
for (const m of ['log', 'info', 'debug', 'warn', 'error']) console[m] = () => {}
const message = (e) => String((e && (e.errMsg || e.message)) || e)
// Some compile errors surface as unhandled rejections: they belong to the job running at the time.
let settle = null
process.on('unhandledRejection', (e) => settle?.({ ok: false, error: message(e) }))
const ci = require('miniprogram-ci')

function compile({ projectPath, setting }) {
  return new Promise((resolve) => {
    settle = resolve
    const project = new ci.Project({ appid, type: 'miniProgram', projectPath, privateKeyPath, ignores: ['node_modules/**/*'] })
    project._project.attr = async () => ci.DefaultProjectAttr
    ci.getCompiledResult({ project, setting, onProgressUpdate: () => {} })
      .then((files) => resolve({ ok: true, files: Object.keys(files).sort() }))
      .catch((e) => resolve({ ok: false, error: message(e) }))
  })
}

;(async () => {
  const results = []
  for (const job of jobs) results.push(await compile(job))
  process.stdout.write(`\n${JSON.stringify(results)}\n`)
  process.exit(0)
})()
