import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { notifyUrlProblem, readEnvFiles } from '../../server/merchant/config'
import { configLoader, DIRECT_ENV as base, fakeReadFile, privatePem, publicPem } from '../support/config-env'
import { pooledKey, pooledPlatformKey } from '../support/test-keys'

const readFile = fakeReadFile({
  '/k/apiclient_key.pem': privatePem(pooledKey()),
  '/k/pub_key.pem': publicPem(pooledPlatformKey()),
  '/k/not-a-key.pem': 'hello',
})
const DATA_KEY = { DATA_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64') }
const { load, errorOf } = configLoader(readFile)

describe('loadConfig', () => {
  test('a complete direct-mode env gives a typed config with defaults', () => {
    const c = load(base)
    expect(c).toMatchObject({
      mode: 'direct',
      miniProgramAppId: base.WECHATPAY_APPID,
      databaseUrl: 'sqlite:./data/merchant.db',
      maxOrderFen: 5_000_000,
      rateLimitOrdersPerMin: 30,
      port: 3000,
      host: '127.0.0.1',
      corsOrigins: 'loopback',
      wechatPayBaseUrl: 'https://api.mch.weixin.qq.com',
      wechatApiBase: 'https://api.weixin.qq.com',
    })
    expect(c.platform.mode).toBe('publicKey')
    expect(c.privateKey.type).toBe('private')
  })

  test('without a platform public key it is certificate mode', () => {
    const c = load({ ...base, WECHATPAY_PLATFORM_PUBLIC_KEY_PATH: undefined, WECHATPAY_PLATFORM_PUBLIC_KEY_ID: undefined })
    expect(c.platform).toEqual({ mode: 'certificate' })
  })

  test('partner mode needs the sub-merchant and signs as the sub appid when there is one', () => {
    expect(errorOf({ ...base, WECHATPAY_MODE: 'partner' })).toMatch(/^WECHATPAY_SUB_MCHID is missing/)
    const c = load({ ...base, ...DATA_KEY, WECHATPAY_MODE: 'partner', WECHATPAY_SUB_MCHID: '1900000110', WECHATPAY_SUB_APPID: 'wx9999999999999999' })
    expect(c.miniProgramAppId).toBe('wx9999999999999999')
    expect(load({ ...base, ...DATA_KEY, WECHATPAY_MODE: 'partner', WECHATPAY_SUB_MCHID: '1900000110' }).miniProgramAppId).toBe(base.WECHATPAY_APPID)
  })

  test('profit sharing: off by default; auto needs PLATFORM_COMMISSION_BPS of 0 to 3000; never in direct mode', () => {
    const ecommerce = { ...base, ...DATA_KEY, WECHATPAY_MODE: 'ecommerce' }
    expect(load(ecommerce)).toMatchObject({ profitSharing: 'off', platformCommissionBps: 0 })
    expect(load({ ...ecommerce, PROFIT_SHARING: 'auto', PLATFORM_COMMISSION_BPS: '3000' })).toMatchObject({ profitSharing: 'auto', platformCommissionBps: 3000 })
    expect(load({ ...ecommerce, PROFIT_SHARING: 'manual' }).profitSharing).toBe('manual')
    expect(errorOf({ ...ecommerce, PROFIT_SHARING: 'auto', PLATFORM_COMMISSION_BPS: '3001' })).toMatch(/^PLATFORM_COMMISSION_BPS is malformed: expected 0 to 3000 basis points/)
    expect(errorOf({ ...ecommerce, PROFIT_SHARING: 'auto' })).toMatch(/^PLATFORM_COMMISSION_BPS is missing/)
    expect(errorOf({ ...ecommerce, PROFIT_SHARING: 'manual', PLATFORM_COMMISSION_BPS: '100' })).toMatch(/^PLATFORM_COMMISSION_BPS is set but PROFIT_SHARING is not auto/)
    expect(errorOf({ ...ecommerce, PROFIT_SHARING: 'sometimes' })).toMatch(/^PROFIT_SHARING is malformed: expected off, manual or auto/)
    expect(errorOf({ ...base, PROFIT_SHARING: 'auto', PLATFORM_COMMISSION_BPS: '100' })).toMatch(/^PROFIT_SHARING is set but WECHATPAY_MODE is direct/)
    for (const message of [errorOf({ ...ecommerce, PROFIT_SHARING: 'auto', PLATFORM_COMMISSION_BPS: '3001' }), errorOf({ ...base, PROFIT_SHARING: 'manual' })]) expect(message).not.toMatch(/\n/)
  })

  test('ecommerce mode needs no default shop but a data encryption key of 32 bytes in base64', () => {
    const c = load({ ...base, ...DATA_KEY, WECHATPAY_MODE: 'ecommerce' })
    expect(c.mode).toBe('ecommerce')
    expect(c.subMchid).toBeUndefined()
    expect(c.dataEncryptionKey?.length).toBe(32)
    expect(c.mediaMaxBytes).toBe(2_097_152)
    expect(load({ ...base, ...DATA_KEY, WECHATPAY_MODE: 'ecommerce', MEDIA_MAX_BYTES: '1000' }).mediaMaxBytes).toBe(1000)
    const missing = errorOf({ ...base, WECHATPAY_MODE: 'ecommerce' })
    expect(missing).toMatch(/^DATA_ENCRYPTION_KEY is missing/)
    expect(missing).not.toMatch(/\n/)
    expect(errorOf({ ...base, WECHATPAY_MODE: 'partner', WECHATPAY_SUB_MCHID: '1900000110' })).toMatch(/^DATA_ENCRYPTION_KEY is missing/)
    const short = Buffer.alloc(16, 7).toString('base64')
    const malformed = errorOf({ ...base, WECHATPAY_MODE: 'ecommerce', DATA_ENCRYPTION_KEY: short })
    expect(malformed).toMatch(/^DATA_ENCRYPTION_KEY is malformed/)
    expect(malformed).not.toContain(short)
    expect(errorOf({ ...base, WECHATPAY_MODE: 'ecommerce', DATA_ENCRYPTION_KEY: 'not base64 at all!' })).toMatch(/^DATA_ENCRYPTION_KEY is malformed/)
    expect(errorOf({ ...base, ...DATA_KEY, WECHATPAY_MODE: 'ecommerce', MEDIA_MAX_BYTES: '0' })).toMatch(/^MEDIA_MAX_BYTES is malformed/)
  })

  test.each([
    ['WECHATPAY_MCHID', undefined, /^WECHATPAY_MCHID is missing/],
    ['WECHATPAY_MCHID', 'abc', /^WECHATPAY_MCHID is malformed/],
    ['WECHATPAY_APPID', 'not-an-appid', /^WECHATPAY_APPID is malformed/],
    ['WECHATPAY_APIV3_KEY', 'a'.repeat(31), /^WECHATPAY_APIV3_KEY is malformed: must be exactly 32 bytes, got 31/],
    ['WECHATPAY_PRIVATE_KEY_PATH', '/k/missing.pem', /^WECHATPAY_PRIVATE_KEY_PATH cannot be read: \/k\/missing.pem \(ENOENT\)/],
    ['WECHATPAY_PRIVATE_KEY_PATH', '/k/not-a-key.pem', /^WECHATPAY_PRIVATE_KEY_PATH is unusable/],
    ['WECHATPAY_PLATFORM_PUBLIC_KEY_ID', undefined, /^WECHATPAY_PLATFORM_PUBLIC_KEY_ID is missing/],
    ['WECHATPAY_PLATFORM_PUBLIC_KEY_ID', 'KEY1', /^WECHATPAY_PLATFORM_PUBLIC_KEY_ID is malformed/],
    ['NOTIFY_URL', 'http://shop.example.com/notify', /^NOTIFY_URL must be https/],
    ['NOTIFY_URL', 'https://shop.example.com/notify?x=1', /^NOTIFY_URL must not carry a query/],
    ['SESSION_SECRET', 'short', /^SESSION_SECRET is malformed/],
    ['MAX_ORDER_FEN', '-5', /^MAX_ORDER_FEN is malformed/],
    ['CORS_ORIGINS', 'https://a.example.com/path', /^CORS_ORIGINS is malformed/],
    ['DATABASE_URL', 'mysql://x', /^DATABASE_URL is malformed/],
    ['DATABASE_URL', 'postgres://', /^DATABASE_URL is malformed/],
    // Issue 11: WeChat hosts over plain http outside loopback would send keys' signatures and user data in clear.
    ['WECHATPAY_BASE_URL', 'http://api.mch.weixin.qq.com', /^WECHATPAY_BASE_URL must be https/],
    ['WECHAT_API_BASE', 'http://10.0.0.5:3100', /^WECHAT_API_BASE must be https/],
  ])('%s=%s stops start-up with one line naming it', (key, value, expected) => {
    const message = errorOf({ ...base, [key]: value })
    expect(message).toMatch(expected)
    expect(message).not.toContain('\n')
    expect(message).not.toContain(base.WECHATPAY_APIV3_KEY)
  })

  test.each(['postgres://shop:secret@db.internal:5432/merchant', 'postgresql://shop@10.0.0.7/merchant?sslmode=require'])('DATABASE_URL=%s selects PostgreSQL', (url) => {
    expect(load({ ...base, DATABASE_URL: url }).databaseUrl).toBe(url)
  })

  test('a backup root for WeChat Pay, and both key kinds during a migration to the public key (issue 11)', () => {
    const c = load({ ...base, WECHATPAY_BACKUP_BASE_URL: 'https://api2.wechatpay.cn/', WECHATPAY_ACCEPT_PLATFORM_CERTIFICATES: 'true' })
    expect(c.wechatPayBackupBaseUrl).toBe('https://api2.wechatpay.cn')
    expect(c.platform).toMatchObject({ mode: 'publicKey', alsoCertificates: true })
    expect(errorOf({ ...base, WECHATPAY_BACKUP_BASE_URL: 'http://api2.wechatpay.cn' })).toMatch(/^WECHATPAY_BACKUP_BASE_URL must be https/)
    const { WECHATPAY_PLATFORM_PUBLIC_KEY_PATH: _p, WECHATPAY_PLATFORM_PUBLIC_KEY_ID: _i, ...certificateMode } = base
    expect(errorOf({ ...certificateMode, WECHATPAY_ACCEPT_PLATFORM_CERTIFICATES: 'true' })).toMatch(/^WECHATPAY_ACCEPT_PLATFORM_CERTIFICATES only applies in public-key mode/)
  })

  test('CORS: loopback origins by default in development, none in production unless CORS_ORIGINS names them', () => {
    expect(load(base).corsOrigins).toBe('loopback')
    expect(load({ ...base, NODE_ENV: 'production' }).corsOrigins).toEqual([])
    expect(load({ ...base, NODE_ENV: 'production', CORS_ORIGINS: 'https://shop.example.com' }).corsOrigins).toEqual(['https://shop.example.com'])
  })

  test('WORKERS: 1 by default, 1 to 64; more than one refused on SQLite with one line saying why (issue 12)', () => {
    expect(load(base).workers).toBe(1)
    expect(load({ ...base, WORKERS: '1', DATABASE_URL: 'sqlite:/tmp/x.db' }).workers).toBe(1)
    for (const bad of ['0', '65', 'two', '-1']) expect(errorOf({ ...base, WORKERS: bad })).toMatch(/^WORKERS is malformed/)
    for (const db of [undefined, 'sqlite:/var/lib/merchant.db', 'sqlite::memory:']) {
      const message = errorOf({ ...base, WORKERS: '2', DATABASE_URL: db })
      expect(message).toMatch(/^WORKERS is 2 but DATABASE_URL is SQLite, which serves one process: one file with one writer, and its per-order lock and rate limiter/)
      expect(message).not.toContain('\n')
    }
  })

  test('a loopback http notify URL is fine for development', () => {
    expect(notifyUrlProblem('http://127.0.0.1:3000/api/wechatpay/notify')).toBeNull()
    expect(notifyUrlProblem('http://localhost:3000/api/wechatpay/notify')).toBeNull()
  })

  test('real env wins over .env.local, which wins over .env; empty values count as unset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'merchant-env-'))
    writeFileSync(join(dir, '.env'), 'TARO_APP_API_BASE=\nWECHATPAY_MCHID=111111\nPORT=4000\n')
    writeFileSync(join(dir, '.env.local'), 'WECHATPAY_MCHID=222222\nHOST=0.0.0.0\n')
    const merged = readEnvFiles(dir, { WECHATPAY_MCHID: '333333', HOST: '' })
    expect(merged.WECHATPAY_MCHID).toBe('333333')
    expect(merged.HOST).toBe('0.0.0.0')
    expect(merged.PORT).toBe('4000')
  })
})
