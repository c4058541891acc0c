/**
 * Development keys for `npm run stack`: a merchant RSA-2048 key with a self-issued certificate
 * (its serial is WECHATPAY_SERIAL_NO), an APIv3 key, an app secret, admin token and session
 * secret, written once into the git-ignored dev-keys/ and reused afterwards. Never for production.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { issueCertificate, loadCertificate } from '../server/wechatpay'

export interface DevKeys {
  dir: string
  mchid: string
  appId: string
  appSecret: string
  apiV3Key: string
  serialNo: string
  privateKeyPath: string
  certificatePath: string
  privateKeyPem: string
  adminToken: string
  sessionSecret: string
}

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const alnum = (n: number) => Array.from(randomBytes(n), (b) => ALNUM[b % 62]).join('')

/** Loads dev-keys/ or, on first run, generates it. */
export function ensureDevKeys(dir = resolve(__dirname, '..', 'dev-keys')): DevKeys & { created: boolean } {
  const metaPath = join(dir, 'merchant.json')
  const privateKeyPath = join(dir, 'apiclient_key.pem')
  const certificatePath = join(dir, 'apiclient_cert.pem')
  if (existsSync(metaPath) && existsSync(privateKeyPath) && existsSync(certificatePath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Omit<DevKeys, 'dir' | 'privateKeyPath' | 'certificatePath' | 'privateKeyPem'>
    return { ...meta, dir, privateKeyPath, certificatePath, privateKeyPem: readFileSync(privateKeyPath, 'utf8'), created: false }
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const now = Date.now()
  const mchid = '1900000109'
  const certPem = issueCertificate({
    subject: [['C', 'CN'], ['O', '开发测试商户'], ['OU', 'dev'], ['CN', mchid]],
    issuer: [['C', 'CN'], ['O', 'Dev Keys (not Tenpay)'], ['CN', 'dev-keys self-issued']],
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 5 * 365 * 86400_000),
    publicKey: privateKey,
    signingKey: privateKey,
  })
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const meta = {
    mchid,
    appId: `wx${randomBytes(8).toString('hex')}`,
    appSecret: randomBytes(16).toString('hex'),
    apiV3Key: alnum(32),
    serialNo: loadCertificate(certPem).serialNo,
    adminToken: randomBytes(24).toString('hex'),
    sessionSecret: randomBytes(32).toString('hex'),
  }
  writeFileSync(privateKeyPath, privateKeyPem, { mode: 0o600 })
  writeFileSync(certificatePath, certPem)
  writeFileSync(metaPath, `${JSON.stringify(meta, null, 2)}\n`, { mode: 0o600 })
  writeFileSync(join(dir, 'README.txt'), 'Development keys made by scripts/dev-keys.ts for the emulator. Not WeChat Pay keys; never use them in production.\n')
  return { ...meta, dir, privateKeyPath, certificatePath, privateKeyPem, created: true }
}

if (/dev-keys\.[jt]s$/.test(process.argv[1] ?? '')) {
  const keys = ensureDevKeys()
  console.log(`${keys.created ? 'created' : 'kept'} ${keys.dir} (mchid ${keys.mchid}, appid ${keys.appId}, serial ${keys.serialNo})`)
}
