// What the backend's configuration tests (config, doctor, scenario-config) share: a complete
// direct-mode env whose key paths a fake file system answers, and the way to read a ConfigError.
import { createPublicKey, type KeyObject } from 'node:crypto'
import { loadConfig } from '../../server/merchant/config'
import { ConfigError } from '../../server/merchant/errors'

export type Env = Record<string, string | undefined>

/** A complete direct-mode env; WECHATPAY_PRIVATE_KEY_PATH and WECHATPAY_PLATFORM_PUBLIC_KEY_PATH name /k/ files. */
export const DIRECT_ENV = {
  WECHATPAY_APPID: 'wx8888888888888888',
  WECHATPAY_MCHID: '1900000109',
  WECHATPAY_SERIAL_NO: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
  WECHATPAY_PRIVATE_KEY_PATH: '/k/apiclient_key.pem',
  WECHATPAY_APIV3_KEY: 'a'.repeat(32),
  WECHATPAY_PLATFORM_PUBLIC_KEY_PATH: '/k/pub_key.pem',
  WECHATPAY_PLATFORM_PUBLIC_KEY_ID: 'PUB_KEY_ID_0119000001092025010100000000',
  WECHAT_APP_SECRET: 'b'.repeat(32),
  NOTIFY_URL: 'https://shop.example.org/api/wechatpay/notify',
  ADMIN_TOKEN: 'f3a9c1d2e4b5a6978877665544332211',
  SESSION_SECRET: '0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071',
}

/** A private key as PKCS#8 PEM. */
export const privatePem = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString()
/** The public half of a private key as SPKI PEM. */
export const publicPem = (key: KeyObject) => createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString()

/** A readFile over `files` (path → text); other paths fail with ENOENT, like a missing file. The map stays live. */
export function fakeReadFile(files: Record<string, string>): (p: string) => Buffer {
  return (p) => {
    if (!(p in files)) throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' })
    return Buffer.from(files[p])
  }
}

/** loadConfig over a fake file system, and the message of the ConfigError an env makes it throw. */
export function configLoader(readFile: (p: string) => Buffer) {
  const load = (env: Env) => loadConfig(env, { readFile })
  const errorOf = (env: Env): string => {
    try {
      load(env)
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError)
      return (e as Error).message
    }
    throw new Error('expected a ConfigError')
  }
  return { load, errorOf }
}
