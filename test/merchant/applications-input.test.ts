/**
 * Onboarding input: every bad field named at once, images checked by content and size, nothing
 * half-submitted left behind, no personal data in the log of a whole onboarding, direct mode without it.
 */
import type { Json } from '../support/json'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { REDACT_PATHS } from '../../server/merchant/app'
import { MEDIA_UPLOADS_PER_USER_PER_MIN } from '../../server/merchant/routes/media'
import { registerMerchant, startEmulator, type EmulatorHandle, type TestMerchant } from '../support/emulator'
import { startBackend, type BackendHandle } from '../support/merchant'
import { call, manualClock, requestId } from './helpers'
import { advance, emulatedApplyments, jpeg, microBody, PERSON, png, uploadImage } from './onboarding-helpers'

let emu: EmulatorHandle
let merchant: TestMerchant

beforeAll(async () => {
  emu = await startEmulator()
  merchant = await registerMerchant(emu, { mode: 'ecommerce' })
})
afterAll(async () => {
  await emu?.close()
})

describe('application input', () => {
  let backend: BackendHandle
  let token: string
  beforeAll(async () => {
    backend = await startBackend({ emulator: emu, merchant, env: { MEDIA_MAX_BYTES: '4096' } })
    token = await backend.loginToken('o-input-user')
  })
  afterAll(async () => {
    await backend?.close()
  })

  test('400 INVALID_APPLICATION names every bad field at once, and nothing is stored or sent', async () => {
    const before = (await emulatedApplyments(emu)).length
    const body = await microBody(backend, token)
    const bad = {
      ...body,
      idCard: { ...body.idCard, number: '110105194912310020' }, // wrong check digit
      contact: { ...body.contact, mobile: '1381234567' }, // 10 digits
      store: { url: 'https://shop.example.com/x' }, // no name
    }
    const res = await call(backend, 'POST', '/api/applications', { token, payload: bad })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('INVALID_APPLICATION')
    const fields = res.body.error.details.map((d: { field: string }) => d.field)
    expect(fields).toEqual(expect.arrayContaining(['idCard.number', 'contact.mobile', 'store.name']))
    for (const d of res.body.error.details) expect(d.message).toEqual(expect.any(String))
    expect(JSON.stringify(res.body)).not.toContain('1381234567')
    expect((await call(backend, 'GET', '/api/applications', { token })).body.applications).toEqual([])
    expect((await emulatedApplyments(emu)).length).toBe(before)
  })

  test('the same requestId posted twice at once is one application, submitted once; both answers show it submitted', async () => {
    const body = await microBody(backend, token, { merchantShortname: '双击小店' })
    const answers = await Promise.all([0, 1].map(() => call(backend, 'POST', '/api/applications', { token, payload: body })))
    expect(answers.map((a) => a.status).sort()).toEqual([200, 201])
    const [first, second] = answers.map((a) => a.body.application)
    expect(second.applicationNo).toBe(first.applicationNo)
    expect([first.state, second.state]).toEqual(['checking', 'checking'])
    expect((await emulatedApplyments(emu)).filter((a) => a.outRequestNo === first.applicationNo)).toHaveLength(1)
    expect((await call(backend, 'GET', '/api/applications', { token })).body.applications.filter((a: Json) => a.applicationNo === first.applicationNo)).toHaveLength(1)
  })

  test('per-type rules: 企业 without a licence, an e-mail or the ID-card address; 小微 with a corporate account', async () => {
    const body = await microBody(backend, token)
    const res = await call(backend, 'POST', '/api/applications', { token, payload: { ...body, organizationType: '2', bankAccount: { ...body.bankAccount, type: 'corporate' } } })
    expect(res.status).toBe(400)
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(expect.arrayContaining(['businessLicense.number', 'contact.email', 'idCard.address']))
    const micro = await call(backend, 'POST', '/api/applications', { token, payload: { ...body, requestId: requestId(), bankAccount: { ...body.bankAccount, type: 'corporate' } } })
    expect(micro.status).toBe(400)
    expect(micro.body.error.details.map((d: { field: string }) => d.field)).toEqual(expect.arrayContaining(['bankAccount.type']))
  })

  test('a JSON body that is not an object is INVALID_APPLICATION, never a 500', async () => {
    const res = await call(backend, 'POST', '/api/applications', { token, payload: '[1,2]' })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('INVALID_APPLICATION')
  })

  test('images: jpg and png by content are uploaded; text, a mislabelled file and an oversized one are refused', async () => {
    const ok = await uploadImage(backend, token, png(), 'id-front.png', 'image/png')
    expect(ok.status).toBe(201)
    expect(ok.body.mediaId).toMatch(/^\S+$/)
    expect((await uploadImage(backend, token, jpeg(), 'tmp_abc', 'application/octet-stream')).status).toBe(201)

    const text = await uploadImage(backend, token, Buffer.from('hello, this is not an image'), 'id-front.png', 'image/png')
    expect(text).toMatchObject({ status: 400, body: { error: { code: 'INVALID_IMAGE' } } })
    const mislabelled = await uploadImage(backend, token, png(), 'id-front.jpg', 'image/jpeg')
    expect(mislabelled).toMatchObject({ status: 400, body: { error: { code: 'INVALID_IMAGE' } } })
    const big = await uploadImage(backend, token, png(80), 'big.png', 'image/png')
    expect(png(80).length).toBeGreaterThan(4096)
    expect(big).toMatchObject({ status: 413, body: { error: { code: 'IMAGE_TOO_LARGE' } } })

    const noFile = await fetch(`${backend.url}/api/media`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' })
    expect(noFile.status).toBe(400)
    expect(((await noFile.json()) as Json).error.code).toBe('INVALID_IMAGE')
    expect((await uploadImage(backend, 'not-a-token', png())).status).toBe(401)
  })

  test('uploads are limited per user per minute (429 RATE_LIMITED), other users unaffected', async () => {
    const hasty = await backend.loginToken('o-hasty-uploader')
    const notImage = Buffer.from('not an image at all')
    for (let i = 0; i < MEDIA_UPLOADS_PER_USER_PER_MIN; i++) expect((await uploadImage(backend, hasty, notImage)).status).toBe(400)
    expect(await uploadImage(backend, hasty, png())).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } })
    expect((await uploadImage(backend, token, png())).status).toBe(201)
  })
})

describe('personal data', () => {
  test('the log of a whole onboarding, at debug level, holds none of the ID number, account number, mobile or name', async () => {
    const lines: string[] = []
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk))
        done()
      },
    })
    const clock = manualClock()
    const backend = await startBackend({ emulator: emu, merchant, clock, logger: { level: 'debug', stream, redact: { paths: REDACT_PATHS, censor: '[redacted]' } } })
    try {
      const token = await backend.loginToken('o-log-user')
      const body = await microBody(backend, token)
      // A bad attempt first (its error answer is logged too), then the real one through to finished.
      await call(backend, 'POST', '/api/applications', { token, payload: { ...body, contact: { ...body.contact, mobile: '12' } } })
      const res = await call(backend, 'POST', '/api/applications', { token, payload: body })
      expect(res.status).toBe(201)
      const no = res.body.application.applicationNo
      await advance(emu, no, 'AUDITING', { to: 'REJECTED', auditDetail: [{ param_name: 'account_number', reject_reason: '银行账号有误' }] })
      clock.advance(10_001)
      await call(backend, 'GET', `/api/applications/${no}`, { token })
      await call(backend, 'PUT', `/api/applications/${no}`, { token, payload: body })
      await advance(emu, no, 'AUDITING', 'NEED_SIGN', 'FINISH')
      await backend.app.reconciler.runOnce()
      expect((await backend.app.storage.applications.get(no))?.state).toBe('finished')
    } finally {
      await backend.close()
    }
    const log = lines.join('')
    expect(log).toContain('application state changed') // the log is really captured
    for (const secret of [PERSON.number, PERSON.account, PERSON.mobile, PERSON.name]) expect(log).not.toContain(secret)
  })
})

describe('the data key', () => {
  test('a restart with another DATA_ENCRYPTION_KEY still lists the applications, masked as unknown, and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onboarding-key-'))
    const env = { DATABASE_URL: `sqlite:${join(dir, 'merchant.db')}` }
    const first = await startBackend({ emulator: emu, merchant, env })
    let no: string
    try {
      const token = await first.loginToken('o-key-user')
      const res = await call(first, 'POST', '/api/applications', { token, payload: await microBody(first, token) })
      no = res.body.application.applicationNo
      expect(res.body.application.masked.mobile).toBe('138****5678')
    } finally {
      await first.close()
    }
    const lines: string[] = []
    const stream = new Writable({ write: (chunk, _enc, done) => void (lines.push(String(chunk)), done()) })
    const second = await startBackend({ emulator: emu, merchant, env: { ...env, DATA_ENCRYPTION_KEY: Buffer.alloc(32, 0x11).toString('base64') }, logger: { level: 'error', stream } })
    try {
      const token = await second.loginToken('o-key-user')
      const list = await call(second, 'GET', '/api/applications', { token })
      expect(list.status).toBe(200)
      expect(list.body.applications[0]).toMatchObject({ applicationNo: no, masked: { mobile: '*', idCardNumber: '*' } })
      expect(lines.join('')).toContain('DATA_ENCRYPTION_KEY')
    } finally {
      await second.close()
    }
  })
})

describe('direct mode', () => {
  test('has no onboarding, and a shopId names no shop', async () => {
    const direct = await registerMerchant(emu)
    const backend = await startBackend({ emulator: emu, merchant: direct })
    try {
      const token = await backend.loginToken('o-direct')
      expect((await call(backend, 'GET', '/api/applications', { token })).status).toBe(404)
      const res = await call(backend, 'POST', '/api/orders', { token, payload: { amount: 100, description: '直连', requestId: requestId(), shopId: 'S1' } })
      expect(res.body.error.code).toBe('SHOP_NOT_FOUND')
    } finally {
      await backend.close()
    }
  })
})
