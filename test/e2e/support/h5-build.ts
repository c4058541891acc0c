/**
 * The one H5 production build the browser suites share (test/support/taro-cache.ts: built once, reused
 * while the sources are unchanged). A build bakes the backend's and the emulator's URLs in, but every
 * suite starts its own servers on free ports; so the build is made with placeholder origins and an
 * appid placeholder, and each suite's static server writes its own values over them as it serves the
 * files (static-server.ts). What the browser runs is otherwise the build byte for byte.
 */
import { ensureTaroBuild } from '../../support/taro-cache'

/** The placeholders baked into the shared build; `h5Values` maps them to one suite's servers. */
export const H5_PLACEHOLDERS = {
  apiBase: 'http://e2e-backend.invalid',
  emulatorUrl: 'http://e2e-emulator.invalid',
  appId: 'wxe2e0placeholder0',
} as const

/** Builds (or reuses) the H5 app in emulator pay mode; returns its folder. */
export function ensureH5Build(): Promise<string> {
  return ensureTaroBuild('h5', 'e2e-h5', {
    TARO_APP_API_BASE: H5_PLACEHOLDERS.apiBase,
    TARO_APP_PAY_MODE: 'emulator',
    TARO_APP_EMULATOR_URL: H5_PLACEHOLDERS.emulatorUrl,
    TARO_APP_APPID: H5_PLACEHOLDERS.appId,
  })
}

/** The substitutions that point the shared build at one suite's backend, emulator and merchant appid. */
export function h5Values(values: { backendUrl: string; emulatorUrl: string; appId: string }): Record<string, string> {
  return {
    [H5_PLACEHOLDERS.apiBase]: values.backendUrl,
    [H5_PLACEHOLDERS.emulatorUrl]: values.emulatorUrl,
    [H5_PLACEHOLDERS.appId]: values.appId,
  }
}
