/** The dashboard's files and the merchant list it reads (the page itself: test/e2e/dashboard.test.ts). */
import { registerMerchant, startEmulator, type EmulatorHandle } from '../support/emulator'

jest.setTimeout(30_000)

let emu: EmulatorHandle
beforeAll(async () => {
  emu = await startEmulator()
})
afterAll(() => emu.close())

test.each([
  ['/__emulator/', 'text/html', '<script src="/__emulator/dashboard.js">'],
  ['/__emulator/dashboard.css', 'text/css', '.badge'],
  ['/__emulator/dashboard.js', 'text/javascript', "setInterval(refresh, REFRESH_MS)"],
])('GET %s serves the dashboard file (%s)', async (path, type, snippet) => {
  const res = await fetch(emu.url + path)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toContain(type)
  expect(await res.text()).toContain(snippet)
})

test('GET /__emulator redirects to the dashboard', async () => {
  const res = await fetch(`${emu.url}/__emulator`, { redirect: 'manual' })
  expect(res.status).toBe(302)
  expect(res.headers.get('location')).toBe('/__emulator/')
})

test('GET /__emulator/merchants lists key ids, never a key', async () => {
  const m = await registerMerchant(emu, { mode: 'partner' })
  const res = (await (await fetch(`${emu.url}/__emulator/merchants`)).json()) as { merchants: unknown[] }
  expect(res.merchants).toContainEqual({
    mchid: m.mchid,
    serialNo: m.serialNo,
    appIds: [m.appId],
    subMchids: [{ mchid: m.subMchid, appIds: [m.subAppId] }],
    platform: { mode: 'publicKey', serialNo: m.platform.serialNo },
  })
  const text = JSON.stringify(res)
  expect(text).not.toContain('PRIVATE KEY')
  expect(text).not.toContain('PUBLIC KEY')
  expect(text).not.toContain(m.apiV3Key)
})
