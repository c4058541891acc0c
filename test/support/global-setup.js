// Runs once before any suite (jest globalSetup). RSA-2048 key generation costs ~0.25 s of CPU a key,
// and jest gives every test file its own module registry, so per-file key pools made ~6 keys in each
// of ~50 files. Instead this run's keys are generated here, once, fresh for every run, and handed to
// the workers in TEST_RSA_KEYS (test-keys.ts reads them; without it, a pool generates its own).
const { generateKeyPairSync } = require('node:crypto')

/** How many keys the pools share out (test-keys.ts: platform keys first, then merchant keys). */
const KEYS = 8

module.exports = async function globalSetup() {
  if (process.env.TEST_RSA_KEYS) return
  const pems = Array.from({ length: KEYS }, () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }))
  process.env.TEST_RSA_KEYS = JSON.stringify(pems)
}
