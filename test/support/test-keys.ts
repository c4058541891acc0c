// RSA-2048 keys for the tests, without generating them in every test file: this run's keys come from
// test/support/global-setup.js (TEST_RSA_KEYS); a test file run without it generates its own.
// WeChat Pay's keys and merchants' keys come from separate pools, so a platform key is never a merchant's.
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto'

const RUN_KEYS: string[] = process.env.TEST_RSA_KEYS ? (JSON.parse(process.env.TEST_RSA_KEYS) as string[]) : []
const POOL_SIZE = 3

/** A pool of `size` keys taken from the run's keys from `offset` on (generated when there are none); successive calls rotate. */
const makePool = (offset: number, size = POOL_SIZE) => {
  const keys: KeyObject[] = []
  let next = 0
  return (): KeyObject => {
    if (keys.length < size) {
      const pem = RUN_KEYS[offset + keys.length]
      keys.push(pem ? createPrivateKey(pem) : generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey)
    }
    return keys[next++ % size]
  }
}

/** A platform (WeChat Pay side) key from this file's pool; successive calls differ. */
export const pooledPlatformKey = makePool(0)
/** A merchant key from this file's pool; successive calls differ. */
export const pooledKey = makePool(POOL_SIZE)
/** Two more keys, apart from both pools, for tests that need a key nobody registered. */
export const spareKey = makePool(2 * POOL_SIZE, 2)
