/** WECHATPAY_SCENARIO and the component settings (platform.md): start-up refusals and `npm run doctor`'s pairing checks. */
import { runDoctor } from '../../server/merchant/doctor'
import { configLoader, DIRECT_ENV, fakeReadFile, privatePem, publicPem, type Env } from '../support/config-env'
import { pooledKey, pooledPlatformKey } from '../support/test-keys'

const readFile = fakeReadFile({
  '/k/apiclient_key.pem': privatePem(pooledKey()),
  '/k/pub_key.pem': publicPem(pooledPlatformKey()),
})
const SP_APPID = 'wx8888888888888888'
const SHOP_APPID = 'wx7777777777777777'
const COMPONENT = { WECHAT_COMPONENT_APPID: 'wx6666666666666666', WECHAT_COMPONENT_APPSECRET: 'e'.repeat(32) }
const partner = {
  ...DIRECT_ENV,
  WECHATPAY_MODE: 'partner',
  WECHATPAY_APPID: SP_APPID,
  WECHATPAY_SUB_MCHID: '1900000110',
  DATA_ENCRYPTION_KEY: Buffer.alloc(32, 0x42).toString('base64'), // partner mode onboards shops
}
const { load, errorOf } = configLoader(readFile)
const problems = (env: Env) => runDoctor(env, readFile).problems.join('\n')

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
