/**
 * Onboarding end to end through the real emulator: form data → media → application → review
 * (advanced through the control API) → finished → shop → a paid order for that shop.
 */
import { registerMerchant, startEmulator, type EmulatorHandle, type TestMerchant } from '../support/emulator'
import { startBackend, type BackendHandle } from '../support/merchant'
import { call, manualClock, requestId, waitFor } from './helpers'
import { advance, emulatedApplyment, emulatedApplyments, enterpriseBody, getApplication, microBody, PERSON } from './onboarding-helpers'

let emu: EmulatorHandle
let merchant: TestMerchant
let backend: BackendHandle
let token: string
const clock = manualClock()
const OPENID = 'o-shop-owner-1'
const BUYER = 'o-buyer-1'

beforeAll(async () => {
  emu = await startEmulator()
  merchant = await registerMerchant(emu, { mode: 'ecommerce' })
  backend = await startBackend({ emulator: emu, merchant, clock })
  token = await backend.loginToken(OPENID)
})
afterAll(async () => {
  await backend?.close()
  await emu?.close()
})

/** Reads an application after the read throttle (10 s) has passed, so the backend asks WeChat Pay. */
async function readFresh(no: string) {
  clock.advance(10_001)
  const res = await getApplication(backend, token, no)
  expect(res.status).toBe(200)
  return res.body.application
}

/** Pays an order for a shop as a buyer and waits until the backend says paid. */
async function payForShop(shopId: string, amount = 2300) {
  const buyer = await backend.loginToken(BUYER)
  const res = await call(backend, 'POST', '/api/orders', { token: buyer, payload: { amount, description: '小店一单', requestId: requestId(), shopId } })
  expect(res.status).toBe(201)
  expect(res.body.order.shopId).toBe(shopId)
  expect(await emu.pay(res.body.payment, { appId: merchant.appId, openid: BUYER })).toBe('requestPayment:ok')
  await waitFor(async () => (await call(backend, 'GET', `/api/orders/${res.body.order.orderNo}`, { token: buyer })).body.order.status === 'paid', 'shop order paid')
  return res.body.order.orderNo as string
}

async function emulatorOrder(orderNo: string) {
  const res = await fetch(`${emu.url}/__emulator/orders/${orderNo}_1?mchid=${merchant.mchid}`)
  return (await res.json()) as { subMchid?: string; tradeState: string }
}

describe('onboarding a shop', () => {
  test('小微 (2401): from form data to finished, then a paid order for that shop', async () => {
    const body = await microBody(backend, token)
    const created = await call(backend, 'POST', '/api/applications', { token, payload: body })
    expect(created.status).toBe(201)
    const app = created.body.application
    expect(app).toMatchObject({ organizationType: '2401', merchantShortname: '三丰小卖部', state: 'checking' })
    expect(app.masked).toEqual({ idCardName: expect.stringMatching(/^张\*+$/), idCardNumber: expect.stringMatching(/^1101\*+/), accountNumber: expect.stringMatching(/^\*+3445$/), mobile: '138****5678' })

    // What WeChat Pay received: the e-commerce enums, ciphertext only, and the plaintext after its own decryption.
    const sent = await emulatedApplyment(emu, app.applicationNo)
    expect(sent.request).toMatchObject({ organization_type: '2401', id_doc_type: 'IDENTIFICATION_TYPE_MAINLAND_IDCARD', account_info: { bank_account_type: '75' }, contact_info: { contact_type: '65' }, merchant_shortname: '三丰小卖部' })
    expect(sent.request.business_license_info).toBeUndefined()
    expect(JSON.stringify(sent.request)).not.toContain(PERSON.number)
    expect(sent.decrypted).toMatchObject({
      '/id_card_info/id_card_name': PERSON.name,
      '/id_card_info/id_card_number': PERSON.number,
      '/account_info/account_number': PERSON.account,
      '/contact_info/mobile_phone': PERSON.mobile,
    })

    // Same user + requestId: the same application, 200.
    const again = await call(backend, 'POST', '/api/applications', { token, payload: body })
    expect(again.status).toBe(200)
    expect(again.body.application.applicationNo).toBe(app.applicationNo)
    expect((await emulatedApplyments(emu)).filter((a) => a.outRequestNo === app.applicationNo)).toHaveLength(1)

    await advance(emu, app.applicationNo, 'AUDITING')
    expect((await readFresh(app.applicationNo)).state).toBe('auditing')
    await advance(emu, app.applicationNo, 'NEED_SIGN')
    // Within 10 s of the last question the backend answers from what it knows.
    expect((await getApplication(backend, token, app.applicationNo)).body.application.state).toBe('auditing')
    const needSign = await readFresh(app.applicationNo)
    expect(needSign).toMatchObject({ state: 'need_sign', signUrl: expect.stringMatching(/^https:\/\//), subMchid: expect.stringMatching(/^\d+$/) })
    expect(needSign.shopId).toBeUndefined()

    // Nobody asks: the reconciler follows it to finished, which creates the shop.
    await advance(emu, app.applicationNo, 'FINISH')
    await backend.app.reconciler.runOnce()
    const finished = await backend.app.storage.applications.get(app.applicationNo)
    expect(finished).toMatchObject({ state: 'finished', subMchid: needSign.subMchid })
    const shopId = finished?.shopId as string
    expect(shopId).toBeTruthy()
    const view = await readFresh(app.applicationNo)
    expect(view).toMatchObject({ state: 'finished', shopId, subMchid: needSign.subMchid })
    expect(view.signUrl).toBeUndefined()

    const shop = await call(backend, 'GET', `/api/shops/${shopId}`)
    expect(shop).toMatchObject({ status: 200, body: { shop: { shopId, name: '三丰小卖部' } } })

    const orderNo = await payForShop(shopId)
    expect(await emulatorOrder(orderNo)).toMatchObject({ subMchid: needSign.subMchid, tradeState: 'SUCCESS' })
  })

  test('企业 (2): licence, corporate account and the legal person\'s address, to finished and a paid order', async () => {
    const created = await call(backend, 'POST', '/api/applications', { token, payload: await enterpriseBody(backend, token) })
    expect(created.status).toBe(201)
    const no = created.body.application.applicationNo
    expect(created.body.application.state).toBe('checking')
    const sent = await emulatedApplyment(emu, no)
    expect(sent.request).toMatchObject({
      organization_type: '2',
      business_license_info: { business_license_number: '91110108MA01ABCD3X', merchant_name: '北京武当山贸易有限公司', legal_person: PERSON.name },
      account_info: { bank_account_type: '74', bank_name: '招商银行北京分行中关村支行' },
      contact_info: { contact_type: '65' },
      owner: true,
    })
    expect(sent.decrypted).toMatchObject({ '/id_card_info/id_card_address': PERSON.address, '/contact_info/contact_email': PERSON.email })

    await advance(emu, no, 'AUDITING', 'NEED_SIGN', 'FINISH')
    const finished = await readFresh(no)
    expect(finished.state).toBe('finished')
    const orderNo = await payForShop(finished.shopId, 9900)
    expect((await emulatorOrder(orderNo)).subMchid).toBe(finished.subMchid)
    // Its refund goes to the same sub-merchant (WeChat Pay would not find the order under another).
    const refund = await call(backend, 'POST', `/api/admin/orders/${orderNo}/refunds`, { headers: { 'x-admin-token': 'test-admin-token-0123456789' }, payload: { amount: 900, requestId: requestId() } })
    expect(refund.status).toBe(201)
    expect(['processing', 'succeeded']).toContain(refund.body.refund.status)
  })

  test('account verification: the remittance instructions and the legal person\'s link, gone once it moves on; canceled is final', async () => {
    const created = await call(backend, 'POST', '/api/applications', { token, payload: await enterpriseBody(backend, token, { merchantShortname: '待验证' }) })
    const no = created.body.application.applicationNo
    await advance(emu, no, 'ACCOUNT_NEED_VERIFY')
    const verify = await readFresh(no)
    expect(verify).toMatchObject({
      state: 'account_need_verify',
      stateText: expect.any(String),
      legalValidationUrl: expect.stringMatching(/^https:\/\//),
      accountValidation: { payAmount: expect.any(Number), destinationAccountNumber: expect.any(String), destinationAccountName: expect.any(String), destinationAccountBank: expect.any(String) },
    })
    expect(JSON.stringify(verify)).not.toMatch(/account_name|account_no/)
    await advance(emu, no, 'AUDITING')
    const auditing = await readFresh(no)
    expect(auditing.state).toBe('auditing')
    expect(auditing.accountValidation).toBeUndefined()
    expect(auditing.legalValidationUrl).toBeUndefined()
    await advance(emu, no, 'CANCELED')
    expect((await readFresh(no)).state).toBe('canceled')
    const queriedAt = (await backend.app.storage.applications.get(no))?.lastQueriedAt
    await readFresh(no) // final: WeChat Pay is not asked again
    expect((await backend.app.storage.applications.get(no))?.lastQueriedAt).toBe(queriedAt)
  })

  test('rejected → the field is fixed → resubmitted with the same out_request_no → finished', async () => {
    const body = await microBody(backend, token, { merchantShortname: '驳回再来' })
    const created = await call(backend, 'POST', '/api/applications', { token, payload: body })
    const no = created.body.application.applicationNo
    const first = await emulatedApplyment(emu, no)

    // Not rejected yet: not editable.
    const early = await call(backend, 'PUT', `/api/applications/${no}`, { token, payload: body })
    expect(early.status).toBe(409)
    expect(early.body.error.code).toBe('APPLICATION_NOT_EDITABLE')

    await advance(emu, no, 'AUDITING', { to: 'REJECTED', auditDetail: [{ param_name: 'id_card_copy', reject_reason: '身份证人像面照片不清晰，请重新上传' }] })
    const rejected = await readFresh(no)
    expect(rejected.state).toBe('rejected')
    expect(rejected.rejections).toEqual([{ field: 'idCard.portraitMediaId', reason: '身份证人像面照片不清晰，请重新上传' }])

    const upload = await (await import('./onboarding-helpers')).mediaId(backend, token, 9)
    const fixed = { ...body, idCard: { ...body.idCard, portraitMediaId: upload } }
    const resubmitted = await call(backend, 'PUT', `/api/applications/${no}`, { token, payload: fixed })
    expect(resubmitted.status).toBe(200)
    expect(resubmitted.body.application).toMatchObject({ applicationNo: no, state: 'checking' })
    expect(resubmitted.body.application.rejections).toBeUndefined()

    const after = await emulatedApplyment(emu, no)
    expect(after.applymentId).toBe(first.applymentId)
    expect(after.outRequestNo).toBe(no)
    expect(after.request.id_card_info.id_card_copy).toBe(upload)
    expect((await emulatedApplyments(emu)).filter((a) => a.outRequestNo === no)).toHaveLength(1)

    await advance(emu, no, 'AUDITING', 'NEED_SIGN', 'FINISH')
    expect((await readFresh(no)).state).toBe('finished')
  })

  test('a submission WeChat Pay refuses outright is failed with its message, on the field it names', async () => {
    const body = await microBody(backend, token)
    body.idCard.portraitMediaId = 'V1_not-a-media-id-this-merchant-uploaded'
    const res = await call(backend, 'POST', '/api/applications', { token, payload: body })
    expect(res.status).toBe(201)
    expect(res.body.application.state).toBe('failed')
    expect(res.body.application.rejections).toEqual([{ field: 'idCard.portraitMediaId', reason: expect.stringContaining('图片') }])
    const put = await call(backend, 'PUT', `/api/applications/${res.body.application.applicationNo}`, { token, payload: body })
    expect(put.status).toBe(409)
  })

  test('an unknown outcome stays submitting and the reconciler resends it with the same out_request_no', async () => {
    await emu.faults({ 'POST /v3/ecommerce/applyments/': { status: 500, times: 1 } })
    const res = await call(backend, 'POST', '/api/applications', { token, payload: await microBody(backend, token, { merchantShortname: '系统繁忙' }) })
    expect(res.status).toBe(201)
    const no = res.body.application.applicationNo
    expect(res.body.application.state).toBe('submitting')
    expect(res.body.application.stateText).toEqual(expect.any(String))
    await backend.app.reconciler.runOnce()
    const received = await emulatedApplyment(emu, no)
    expect(await backend.app.storage.applications.get(no)).toMatchObject({ state: 'checking', applymentId: String(received.applymentId) })
    // Resending a received one (same out_request_no) is idempotent at WeChat Pay: still one applyment.
    await backend.app.storage.applications.update(no, { state: 'submitting' })
    await backend.app.reconciler.runOnce()
    expect(await backend.app.storage.applications.get(no)).toMatchObject({ state: 'checking', applymentId: String(received.applymentId) })
    expect((await emulatedApplyments(emu)).filter((a) => a.outRequestNo === no)).toHaveLength(1)
  })

  test('an answer lost after WeChat Pay took the application: submitting, then the resend finds the same applyment', async () => {
    await emu.faults({ 'POST /v3/ecommerce/applyments/': { lose: true, times: 1 } })
    const res = await call(backend, 'POST', '/api/applications', { token, payload: await microBody(backend, token, { merchantShortname: '答复丢了' }) })
    expect(res.status).toBe(201)
    const no = res.body.application.applicationNo
    expect(res.body.application.state).toBe('submitting')
    const received = await emulatedApplyment(emu, no) // WeChat Pay has it; we do not know
    const read = await readFresh(no) // a read resends it (same out_request_no)
    expect(read.state).toBe('checking')
    expect((await backend.app.storage.applications.get(no))?.applymentId).toBe(String(received.applymentId))
    expect((await emulatedApplyments(emu)).filter((a) => a.outRequestNo === no)).toHaveLength(1)
  })

  test('lists: the caller\'s newest first, another user sees none, the admin sees all', async () => {
    const mine = await call(backend, 'GET', '/api/applications', { token })
    expect(mine.status).toBe(200)
    const nos = mine.body.applications.map((a: { applicationNo: string }) => a.applicationNo)
    expect(nos.length).toBeGreaterThanOrEqual(4)
    const created = mine.body.applications.map((a: { createdAt: string }) => a.createdAt)
    expect([...created].sort().reverse()).toEqual(created)

    const other = await backend.loginToken('o-someone-else')
    expect((await call(backend, 'GET', '/api/applications', { token: other })).body.applications).toEqual([])
    expect((await call(backend, 'GET', `/api/applications/${nos[0]}`, { token: other })).body.error.code).toBe('APPLICATION_NOT_FOUND')

    expect((await call(backend, 'GET', '/api/admin/applications')).status).toBe(401)
    const admin = await call(backend, 'GET', '/api/admin/applications', { headers: { 'x-admin-token': 'test-admin-token-0123456789' } })
    expect(admin.status).toBe(200)
    expect(admin.body.applications.map((a: { applicationNo: string }) => a.applicationNo)).toEqual(expect.arrayContaining(nos))
  })

  test('no view and no stored row holds the full ID number, account, mobile or name', async () => {
    const views = JSON.stringify([
      (await call(backend, 'GET', '/api/applications', { token })).body,
      (await call(backend, 'GET', '/api/admin/applications', { headers: { 'x-admin-token': 'test-admin-token-0123456789' } })).body,
    ])
    const rows = JSON.stringify(await backend.app.storage.applications.listAll(100))
    for (const secret of [PERSON.number, PERSON.account, PERSON.mobile, PERSON.name, PERSON.address, PERSON.email]) {
      expect(views).not.toContain(secret)
      expect(rows).not.toContain(secret)
    }
    expect(views).toContain('138****5678')
  })
})

describe('shops and orders', () => {
  test('an unknown shop, or no shop without a default, is SHOP_NOT_FOUND', async () => {
    expect((await call(backend, 'GET', '/api/shops/S20990101000000NOPE0000')).body.error.code).toBe('SHOP_NOT_FOUND')
    const buyer = await backend.loginToken(BUYER)
    const unknown = await call(backend, 'POST', '/api/orders', { token: buyer, payload: { amount: 100, description: '无店', requestId: requestId(), shopId: 'S20990101000000NOPE0000' } })
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.code).toBe('SHOP_NOT_FOUND')
    const none = await call(backend, 'POST', '/api/orders', { token: buyer, payload: { amount: 100, description: '无店', requestId: requestId() } })
    expect(none.status).toBe(404)
    expect(none.body.error.code).toBe('SHOP_NOT_FOUND')
  })

  test('a shop that is not finished is no shop', async () => {
    const res = await call(backend, 'POST', '/api/applications', { token, payload: await microBody(backend, token, { merchantShortname: '还没开张' }) })
    const no = res.body.application.applicationNo
    await advance(emu, no, 'AUDITING', 'NEED_SIGN')
    const view = await readFresh(no)
    expect(view.state).toBe('need_sign')
    expect(view.shopId).toBeUndefined()
  })
})
