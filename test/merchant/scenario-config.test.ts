/** WECHATPAY_SCENARIO and the component settings (platform.md): start-up refusals and `npm run doctor`'s pairing checks. */
import { generateKeyPairSync } from 'node:crypto'
import { loadConfig } from '../../server/merchant/config'
import { runDoctor } from '../../server/merchant/doctor'
import { ConfigError } from '../../server/merchant/errors'

const key = generateKeyPairSync('rsa', { modulusLength: 2048 })
const files: Record<string, string> = {
  '/k/apiclient_key.pem': key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  '/k/pub_key.pem': generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString(),
}
const readFile = (p: string) => {
  if (!(p in files)) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' })
  return Buffer.from(files[p])
}
const SP_APPID = 'wx8888888888888888'
const SHOP_APPID = 'wx7777777777777777'
const COMPONENT = { WECHAT_COMPONENT_APPID: 'wx6666666666666666', WECHAT_COMPONENT_APPSECRET: 'e'.repeat(32) }
const partner = {
  WECHATPAY_MODE: 'partner',
  WECHATPAY_APPID: SP_APPID,
  WECHATPAY_MCHID: '1900000109',
  WECHATPAY_SUB_MCHID: '1900000110',
  WECHATPAY_SERIAL_NO: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
  WECHATPAY_PRIVATE_KEY_PATH: '/k/apiclient_key.pem',
  WECHATPAY_APIV3_KEY: 'a'.repeat(32),
  WECHATPAY_PLATFORM_PUBLIC_KEY_PATH: '/k/pub_key.pem',
  WECHATPAY_PLATFORM_PUBLIC_KEY_ID: 'PUB_KEY_ID_0119000001092025010100000000',
  WECHAT_APP_SECRET: 'b'.repeat(32),
  NOTIFY_URL: 'https://shop.example.org/api/wechatpay/notify',
  ADMIN_TOKEN: 'f3a9c1d2e4b5a6978877665544332211',
  SESSION_SECRET: '0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071',
  DATA_ENCRYPTION_KEY: Buffer.alloc(32, 0x42).toString('base64'), // partner mode onboards shops
}
const load = (env: Record<string, string | undefined>) => loadConfig(env, { readFile })
const errorOf = (env: Record<string, string | undefined>) => {
  try {
    load(env)
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError)
    return (e as Error).message
  }
  throw new Error('expected a ConfigError')
}
const problems = (env: Record<string, string | undefined>) => runDoctor(env, readFile).problems.join('\n')

describe('WECHATPAY_SCENARIO', () => {
  test('defaults: centralized without WECHATPAY_SUB_APPID, outsourced with it; the paying appid follows', () => {
    expect(load(partner)).toMatchObject({ scenario: 'centralized', miniProgramAppId: SP_APPID })
    expect(load({ ...partner, WECHATPAY_SUB_APPID: SHOP_APPID })).toMatchObject({ scenario: 'outsourced', miniProgramAppId: SHOP_APPID, subAppId: SHOP_APPID })
  })

  test('centralized with WECHATPAY_SUB_APPID is refused with one line naming it', () => {
    expect(errorOf({ ...partner, WECHATPAY_SCENARIO: 'centralized', WECHATPAY_SUB_APPID: SHOP_APPID })).toMatch(/^WECHATPAY_SUB_APPID is set but WECHATPAY_SCENARIO is centralized/)
  })

  test('outsourced and thirdparty need the shop’s appid; thirdparty needs the component, not the app secret', () => {
    expect(errorOf({ ...partner, WECHATPAY_SCENARIO: 'outsourced' })).toMatch(/^WECHATPAY_SUB_APPID is missing/)
    expect(errorOf({ ...partner, WECHATPAY_SCENARIO: 'thirdparty', WECHATPAY_SUB_APPID: SHOP_APPID })).toMatch(/^WECHAT_COMPONENT_APPID is missing/)
    expect(errorOf({ ...partner, WECHATPAY_SCENARIO: 'thirdparty', WECHATPAY_SUB_APPID: SHOP_APPID, WECHAT_COMPONENT_APPID: COMPONENT.WECHAT_COMPONENT_APPID })).toMatch(/^WECHAT_COMPONENT_APPSECRET is missing/)
    const c = load({ ...partner, ...COMPONENT, WECHATPAY_SCENARIO: 'thirdparty', WECHATPAY_SUB_APPID: SHOP_APPID, WECHAT_APP_SECRET: undefined })
    expect(c).toMatchObject({ scenario: 'thirdparty', miniProgramAppId: SHOP_APPID, component: { appId: COMPONENT.WECHAT_COMPONENT_APPID } })
    expect(c.appSecret).toBeUndefined()
    expect(errorOf({ ...partner, WECHATPAY_SUB_APPID: SHOP_APPID, WECHAT_APP_SECRET: undefined })).toMatch(/^WECHAT_APP_SECRET is missing: .*the shop's/)
  })

  test('direct mode has no scenario and still needs the app secret', () => {
    const direct = { ...partner, WECHATPAY_MODE: 'direct', WECHATPAY_SUB_MCHID: undefined }
    expect(load(direct).scenario).toBe('centralized')
    expect(errorOf({ ...direct, WECHATPAY_SCENARIO: 'outsourced' })).toMatch(/^WECHATPAY_SCENARIO is set but WECHATPAY_MODE is direct/)
    expect(errorOf({ ...direct, WECHAT_APP_SECRET: undefined })).toMatch(/^WECHAT_APP_SECRET is missing/)
  })
})

describe('npm run doctor: the pairing', () => {
  test('names the scenario and which appid logs in, orders and signs', () => {
    const r = runDoctor({ ...partner, WECHATPAY_SUB_APPID: SHOP_APPID }, readFile)
    expect(r.problems).toEqual([])
    expect(r.passed.join('\n')).toContain(`scenario outsourced (default): login /sns/jscode2session with ${SHOP_APPID} and WECHAT_APP_SECRET; order sub_appid ${SHOP_APPID} + payer.sub_openid; paySign appId ${SHOP_APPID}`)
  })

  test('says what to change for each mismatch', () => {
    expect(problems({ ...partner, WECHATPAY_SCENARIO: 'centralized', WECHATPAY_SUB_APPID: SHOP_APPID })).toMatch(/WECHATPAY_SUB_APPID is set but WECHATPAY_SCENARIO is centralized/)
    expect(problems({ ...partner, WECHATPAY_SUB_APPID: SP_APPID })).toMatch(/WECHATPAY_SUB_APPID equals WECHATPAY_APPID: .*set WECHATPAY_SCENARIO=centralized and remove WECHATPAY_SUB_APPID/)
    expect(problems({ ...partner, ...COMPONENT, WECHATPAY_SUB_APPID: SHOP_APPID })).toMatch(/WECHAT_COMPONENT_APPID is set but WECHATPAY_SCENARIO is outsourced: set WECHATPAY_SCENARIO=thirdparty/)
    expect(problems({ ...partner, ...COMPONENT, WECHATPAY_SCENARIO: 'thirdparty', WECHATPAY_SUB_APPID: SHOP_APPID, WECHAT_COMPONENT_APPID: SHOP_APPID })).toMatch(/WECHAT_COMPONENT_APPID is a mini-program appid/)
    expect(problems({ ...partner, WECHATPAY_SUB_APPID: SHOP_APPID, TARO_APP_APPID: SP_APPID })).toMatch(new RegExp(`TARO_APP_APPID is ${SP_APPID} but the outsourced scenario orders and signs paySign for ${SHOP_APPID}: build the mini-program with TARO_APP_APPID=${SHOP_APPID}`))
    expect(problems({ ...partner, TARO_APP_APPID: SP_APPID })).toBe('')
  })
})
