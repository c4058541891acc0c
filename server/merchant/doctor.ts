import { createPublicKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { Value } from '@sinclair/typebox/value'
import type { TSchema } from '@sinclair/typebox'
import { APIV3_KEY_BYTES, buildRequestPayment, loadCertificate, sameKey, verifyRequestPayment } from '../wechatpay'
import { EnvSchema, ENV_KEYS, loadConfig, notifyUrlProblem, readEnvFiles, type Config } from './config'
import { scenarioChecks } from './doctor-scenario'
import { ConfigError } from './errors'

export interface DoctorReport {
  problems: string[]
  passed: string[]
}

const REQUIRED = new Set<string>(EnvSchema.required ?? [])
const PLACEHOLDER = /change-me|changeme|example|^x+$/i
/** The hosts WeChat serves these APIs from (the second is WeChat Pay's backup root). */
const OFFICIAL_HOSTS: Array<[string, string[]]> = [
  ['WECHATPAY_BASE_URL', ['api.mch.weixin.qq.com', 'api2.wechatpay.cn']],
  ['WECHAT_API_BASE', ['api.weixin.qq.com']],
]

/**
 * Checks a configuration without paying anything: every setting on its own, then keys against
 * each other (private key vs certificate serial, platform key vs merchant key), then a paySign
 * self-test. Each problem is one line saying what to fix.
 */
export function runDoctor(env: Record<string, string | undefined>, readFile: (p: string) => Buffer = (p) => readFileSync(p)): DoctorReport {
  const problems: string[] = []
  const passed: string[] = []
  const present: Record<string, string> = {}
  for (const key of [...ENV_KEYS, 'TARO_APP_APPID']) {
    const v = env[key]?.trim()
    if (v) present[key] = v
  }
  for (const key of ENV_KEYS) {
    const schema = EnvSchema.properties[key] as TSchema
    const value = present[key]
    if (value === undefined) {
      if (REQUIRED.has(key)) problems.push(`${key} is missing: set it to ${schema.description}`)
    } else if (!Value.Check(schema, value)) {
      problems.push(`${key} is malformed: expected ${schema.description}`)
    }
  }
  const mode = present.WECHATPAY_MODE ?? 'direct'
  if (mode === 'partner' && !present.WECHATPAY_SUB_MCHID) problems.push('WECHATPAY_SUB_MCHID is missing: partner mode needs the sub-merchant id')
  if (mode !== 'direct' && !present.DATA_ENCRYPTION_KEY) problems.push(`DATA_ENCRYPTION_KEY is missing: ${mode} mode onboards shops and encrypts their personal data with it (openssl rand -base64 32)`)
  if (present.WECHATPAY_APIV3_KEY && Buffer.byteLength(present.WECHATPAY_APIV3_KEY) !== APIV3_KEY_BYTES) {
    problems.push(`WECHATPAY_APIV3_KEY is ${Buffer.byteLength(present.WECHATPAY_APIV3_KEY)} bytes: copy the ${APIV3_KEY_BYTES}-character APIv3 key from 商户平台 → API安全`)
  }
  if (present.NOTIFY_URL) {
    const why = notifyUrlProblem(present.NOTIFY_URL)
    if (why) problems.push(`NOTIFY_URL ${why}`)
    else if (!present.NOTIFY_URL.endsWith('/api/wechatpay/notify')) problems.push('NOTIFY_URL does not end with /api/wechatpay/notify, the route this backend serves')
    else passed.push('NOTIFY_URL is well-formed')
  }
  for (const [key, official] of OFFICIAL_HOSTS) {
    const value = present[key]
    if (!value) continue
    let host = ''
    try {
      host = new URL(value).hostname
    } catch {
      continue // reported as malformed above
    }
    if (!official.includes(host)) problems.push(`${key} points at ${host}, not WeChat's own ${official.join(' or ')}: fine for the emulator, wrong in production`)
  }
  for (const key of ['ADMIN_TOKEN', 'SESSION_SECRET'] as const) {
    if (present[key] && PLACEHOLDER.test(present[key])) problems.push(`${key} looks like a placeholder: generate a random value (openssl rand -hex 32)`)
  }

  let config: Config | null = null
  try {
    config = loadConfig(env, { readFile })
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e
    if (!problems.some((p) => p.startsWith(e.message.split(' ')[0]))) problems.push(e.message)
  }
  if (!config) return { problems, passed }
  passed.push(`configuration loads (${config.mode} mode, platform ${config.platform.mode} mode)`)
  const pairing = scenarioChecks(present, config)
  problems.push(...pairing.problems)
  passed.push(...pairing.passed)

  // The merchant certificate, when it sits beside the key (apiclient_cert.pem), names the serial.
  const certPath = join(dirname(present.WECHATPAY_PRIVATE_KEY_PATH), 'apiclient_cert.pem')
  let certKey: KeyObject | null = null
  let certPem: Buffer | null = null
  try {
    certPem = readFile(certPath)
  } catch {
    certPem = null
  }
  try {
    if (certPem) {
      const cert = loadCertificate(certPem, 'merchant certificate')
      certKey = cert.publicKey
      if (cert.serialNo !== config.serialNo) problems.push(`WECHATPAY_SERIAL_NO is ${config.serialNo} but ${certPath} has serial ${cert.serialNo}: use the certificate's serial`)
      else passed.push('WECHATPAY_SERIAL_NO matches apiclient_cert.pem')
      if (!sameKey(config.privateKey, cert.publicKey)) problems.push(`WECHATPAY_PRIVATE_KEY_PATH is not the key of ${certPath}: use the apiclient_key.pem issued with that certificate`)
      else passed.push('private key matches apiclient_cert.pem')
      if (cert.validTo.getTime() < Date.now()) problems.push(`${certPath} expired on ${cert.validTo.toISOString()}: renew the merchant API certificate`)
    } else {
      passed.push('no apiclient_cert.pem beside the key: serial/key match not determinable locally')
    }
  } catch (e) {
    problems.push(`${certPath} is unreadable: ${(e as Error).message}`)
  }

  if (config.platform.mode === 'publicKey') {
    if (sameKey(config.privateKey, config.platform.publicKey)) {
      problems.push("WECHATPAY_PLATFORM_PUBLIC_KEY_PATH is the merchant's own public key: download the WeChat Pay public key (pub_key.pem) from 商户平台")
    } else passed.push("the platform public key is not the merchant's own")
  }

  // paySign self-test: what the WeChat client will check on the phone.
  const payment = buildRequestPayment({ appId: config.miniProgramAppId, prepayId: 'wx_doctor_self_test', privateKey: config.privateKey })
  const verifyWith = certKey ?? createPublicKey(config.privateKey)
  if (verifyRequestPayment(config.miniProgramAppId, payment, verifyWith)) passed.push(`paySign self-test ok (appId ${config.miniProgramAppId})`)
  else problems.push('paySign self-test failed: the private key cannot produce signatures the certificate verifies')
  return { problems, passed }
}

if (/doctor\.[jt]s$/.test(process.argv[1] ?? '')) {
  const { problems, passed } = runDoctor(readEnvFiles())
  for (const line of passed) console.log(`ok    ${line}`)
  for (const line of problems) console.log(`FIX   ${line}`)
  console.log(problems.length ? `\n${problems.length} problem(s) to fix.` : '\nConfiguration looks right (nothing was paid).')
  process.exit(problems.length ? 1 : 0)
}
