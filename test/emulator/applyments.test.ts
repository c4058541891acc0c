/**
 * E-commerce sub-merchant applyments (wechatpay-service-provider.md §1) through the real emulator:
 * submission with real media and RSA-OAEP, queries, the §1.4 state machine via the control API,
 * idempotency and overwrite after REJECTED, revoke, and the finished sub_mchid taking partner orders.
 */
import { decryptSensitive, type PartnerJsapiOrderRequest, type WechatPayClient } from '../../server/wechatpay'
import { registerMerchant, startEmulator, type EmulatorHandle, type TestMerchant } from '../support/emulator'
import { advance, applymentBody, asAgent, listApplyments, PLAIN, query, requestNo, submit } from './applyment-fixtures'
import { call, clientFor, tradeNo } from './helpers'

let emu: EmulatorHandle
let sp: TestMerchant
let client: WechatPayClient
const SP_USER = 'o-platform-user'

beforeAll(async () => {
  emu = await startEmulator()
  sp = await registerMerchant(emu, { mode: 'partner' })
  client = clientFor(emu, sp)
  await emu.login(sp.appId, SP_USER)
})
afterAll(() => emu.close())

const partnerOrder = (subMchid: string, over: Record<string, unknown> = {}): PartnerJsapiOrderRequest => ({
  sp_appid: sp.appId,
  sp_mchid: sp.mchid,
  sub_mchid: subMchid,
  description: '店铺商品',
  out_trade_no: tradeNo('S'),
  notify_url: 'https://platform.example.com/notify',
  amount: { total: 990, currency: 'CNY' },
  payer: { sp_openid: SP_USER },
  ...over,
})

test('小微 (2401): submitted, queried both ways, reviewed to FINISH; its sub_mchid takes a paid order only once finished', async () => {
  const { body, serial } = await applymentBody(client, '2401', { subAppId: sp.subAppId })
  const answer = await submit(client, body, serial)
  expect(answer).toEqual({ applyment_id: expect.any(Number), out_request_no: body.out_request_no })
  expect(String(answer.applyment_id)).toMatch(/^\d{16}$/)

  const checking = await query(client, { id: answer.applyment_id })
  expect(checking).toEqual({
    applyment_id: answer.applyment_id,
    out_request_no: body.out_request_no,
    applyment_state: 'CHECKING',
    applyment_state_desc: '资料校验中',
    sign_state: 'NOT_SIGNABLE',
    audit_detail: [],
  })
  expect(await query(client, { outRequestNo: body.out_request_no })).toEqual(checking)

  // The control API shows the body as received and what the emulator decrypted.
  const [listed] = (await listApplyments(emu, sp.mchid)).filter((a) => a.applymentId === answer.applyment_id)
  expect(listed).toMatchObject({ outRequestNo: body.out_request_no, mchid: sp.mchid, state: 'CHECKING', request: body })
  expect(listed.decrypted).toEqual({
    '/id_card_info/id_card_name': PLAIN.name,
    '/id_card_info/id_card_number': PLAIN.idNumber,
    '/account_info/account_name': PLAIN.name,
    '/account_info/account_number': PLAIN.accountPersonal,
    '/contact_info/contact_name': PLAIN.name,
    '/contact_info/mobile_phone': PLAIN.mobile,
  })
  expect(listed.subMchid).toBeUndefined()

  expect((await advance(emu, answer.applyment_id, 'AUDITING')).status).toBe(200)
  expect(await query(client, { id: answer.applyment_id })).toMatchObject({ applyment_state: 'AUDITING', applyment_state_desc: '审核中', sign_state: 'UNSIGNED' })

  const needSign = await advance(emu, answer.applyment_id, 'NEED_SIGN')
  expect(needSign.json.applyment).toMatchObject({ state: 'NEED_SIGN', subMchid: expect.stringMatching(/^\d{10}$/) })
  const subMchid = needSign.json.applyment.subMchid as string
  const signing = await query(client, { outRequestNo: body.out_request_no })
  expect(signing).toMatchObject({ applyment_state: 'NEED_SIGN', applyment_state_desc: '待签约', sign_state: 'UNSIGNED', sub_mchid: subMchid, audit_detail: [] })
  expect(signing.sign_url).toMatch(new RegExp(`^https://pay\\.weixin\\.qq\\.com/public/apply4ec_sign/s\\?applymentId=${answer.applyment_id}&sign=\\w+$`))
  // Not signed yet: the platform cannot take payments for it.
  await expect(client.createPartnerJsapiOrder(partnerOrder(subMchid))).rejects.toMatchObject({ status: 400, code: 'INVALID_REQUEST', message: '受理关系不存在' })

  expect((await advance(emu, answer.applyment_id, 'FINISH')).json.applyment).toMatchObject({ state: 'FINISH', subMchid })
  const finished = await query(client, { id: answer.applyment_id })
  expect(finished).toMatchObject({ applyment_state: 'FINISH', applyment_state_desc: '完成', sign_state: 'SIGNED', sub_mchid: subMchid })
  expect(finished.sign_url).toBeUndefined()

  const order = partnerOrder(subMchid)
  const { prepay_id } = await client.createPartnerJsapiOrder(order)
  expect(await emu.pay(client.requestPayment(sp.appId, prepay_id), { appId: sp.appId, openid: SP_USER })).toBe('requestPayment:ok')
  expect(await client.queryOrderByOutTradeNo(order.out_trade_no, subMchid)).toMatchObject({ sub_mchid: subMchid, trade_state: 'SUCCESS' })
  // mini_program_sub_appid became the shop's sub_appid; another appid is not bound to it.
  await client.createPartnerJsapiOrder(partnerOrder(subMchid, { sub_appid: sp.subAppId }))
  await expect(client.createPartnerJsapiOrder(partnerOrder(subMchid, { sub_appid: 'wx0000000000000000' }))).rejects.toMatchObject({ code: 'APPID_MCHID_NOT_MATCH' })
  // Another provider cannot use it.
  const other = await registerMerchant(emu, { mode: 'partner' })
  await expect(clientFor(emu, other).createPartnerJsapiOrder({ ...partnerOrder(subMchid), sp_appid: other.appId, sp_mchid: other.mchid })).rejects.toMatchObject({ message: '受理关系不存在' })
})

test('企业 (2) with an agent as super administrator: account verification, then FINISH', async () => {
  const { body, serial } = await applymentBody(client, '2')
  await asAgent(client, body, 'contact_period') // the IM/OA spelling is accepted too
  const { applyment_id } = await submit(client, body, serial)
  const [listed] = (await listApplyments(emu)).filter((a) => a.applymentId === applyment_id)
  expect(listed.decrypted).toMatchObject({ '/id_card_info/id_card_address': PLAIN.address, '/contact_info/contact_name': PLAIN.agentName, '/contact_info/contact_id_card_number': PLAIN.agentId, '/contact_info/contact_email': PLAIN.email })

  await advance(emu, applyment_id, 'ACCOUNT_NEED_VERIFY')
  const verify = await query(client, { id: applyment_id })
  expect(verify).toMatchObject({ applyment_state: 'ACCOUNT_NEED_VERIFY', applyment_state_desc: '待账户验证', sign_state: 'UNSIGNED' })
  const v = verify.account_validation
  expect(v).toMatchObject({ pay_amount: expect.any(Number), destination_account_number: expect.any(String), destination_account_name: expect.any(String), destination_account_bank: expect.any(String), city: expect.any(String), remark: expect.any(String) })
  expect(v.deadline).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/)
  // account_name is encrypted for the merchant; a corporate account has no account_no.
  expect(decryptSensitive(v.account_name, sp.privateKey)).toBe(PLAIN.companyName)
  expect(v.account_no).toBeUndefined()
  expect(verify.legal_validation_url).toMatch(/^https:\/\/pay\.weixin\.qq\.com\//)

  for (const to of ['AUDITING', 'NEED_SIGN', 'FINISH']) expect((await advance(emu, applyment_id, to)).status).toBe(200)
  expect(await query(client, { id: applyment_id })).toMatchObject({ applyment_state: 'FINISH', sub_mchid: expect.stringMatching(/^\d+$/) })
})

test('个人卖家 (2500), 个体户 (4) with an agent, 事业单位 (3), 政府机关 (2502), 社会组织 (1708); a personal account to verify shows account_no', async () => {
  for (const organizationType of ['2500', '4', '3', '2502', '1708']) {
    const type = organizationType === '2502' || organizationType === '1708' ? '3' : (organizationType as '2500' | '4' | '3')
    const { body, serial } = await applymentBody(client, type)
    body.organization_type = organizationType
    if (organizationType === '1708') body.business_license_info.cert_type = 'CERTIFICATE_TYPE_2394'
    if (type === '4') await asAgent(client, body)
    if (type === '3') body.qualifications = JSON.stringify([(await client.uploadMedia('q.png', Buffer.from('qualification'))).media_id]) // the string form
    const { applyment_id } = await submit(client, body, serial)
    expect(await query(client, { id: applyment_id })).toMatchObject({ applyment_state: 'CHECKING' })
    if (type === '2500') {
      await advance(emu, applyment_id, 'ACCOUNT_NEED_VERIFY')
      const v = (await query(client, { id: applyment_id })).account_validation
      expect(decryptSensitive(v.account_no, sp.privateKey)).toBe(PLAIN.accountPersonal)
    }
  }
})

test('same out_request_no: the same applyment while not REJECTED; after REJECTED the new body overwrites it and it is checked again', async () => {
  const { body, serial } = await applymentBody(client, '2401')
  const first = await submit(client, body, serial)
  await advance(emu, first.applyment_id, 'AUDITING')
  const again = await applymentBody(client, '2401', { outRequestNo: body.out_request_no })
  expect(await submit(client, again.body, again.serial)).toEqual(first)
  expect((await query(client, { id: first.applyment_id })).applyment_state).toBe('AUDITING')

  const reasons = [{ param_name: 'id_card_copy', reject_reason: '身份证背面识别失败，请上传更清晰的身份证图片' }]
  await advance(emu, first.applyment_id, 'REJECTED', reasons)
  expect(await query(client, { outRequestNo: body.out_request_no })).toMatchObject({ applyment_state: 'REJECTED', applyment_state_desc: '已驳回', sign_state: 'NOT_SIGNABLE', audit_detail: reasons })

  const fixed = await applymentBody(client, '2401', { outRequestNo: body.out_request_no })
  fixed.body.merchant_shortname = '张三小店改'
  expect(await submit(client, fixed.body, fixed.serial)).toEqual(first)
  expect(await query(client, { id: first.applyment_id })).toMatchObject({ applyment_state: 'CHECKING', audit_detail: [] })
  const [listed] = (await listApplyments(emu)).filter((a) => a.applymentId === first.applyment_id)
  expect(listed.request.merchant_shortname).toBe('张三小店改')
  for (const to of ['AUDITING', 'NEED_SIGN', 'FINISH']) await advance(emu, first.applyment_id, to)
  expect((await query(client, { id: first.applyment_id })).applyment_state).toBe('FINISH')
})

test('revoke by applyment_id or out_request_no from the six states only', async () => {
  const a = await applymentBody(client, '2401')
  const { applyment_id } = await submit(client, a.body, a.serial)
  expect((await client.call('POST', `/v3/ecommerce/applyments/${applyment_id}/revoke`)).data).toEqual({ applyment_id, out_request_no: a.body.out_request_no })
  expect(await query(client, { id: applyment_id })).toMatchObject({ applyment_state: 'CANCELED', applyment_state_desc: '已作废' })
  await expect(client.call('POST', `/v3/ecommerce/applyments/${applyment_id}/revoke`)).rejects.toMatchObject({ status: 400, code: 'INVALID_REQUEST' })
  // A canceled number stays canceled: resubmitting it answers the same applyment.
  const same = await applymentBody(client, '2401', { outRequestNo: a.body.out_request_no })
  expect((await submit(client, same.body, same.serial)).applyment_id).toBe(applyment_id)

  const b = await applymentBody(client, '2401')
  const second = await submit(client, b.body, b.serial)
  await advance(emu, second.applyment_id, 'FROZEN', [{ param_name: 'merchant_shortname', reject_reason: '商户存在风险' }])
  expect(await query(client, { id: second.applyment_id })).toMatchObject({ applyment_state: 'FROZEN', sign_state: 'NOT_SIGNABLE', audit_detail: [{ param_name: 'merchant_shortname' }] })
  expect((await client.call('POST', `/v3/ecommerce/applyments/out-request-no/${b.body.out_request_no}/revoke`)).data).toEqual({ applyment_id: second.applyment_id, out_request_no: b.body.out_request_no })

  const c = await applymentBody(client, '2401')
  const third = await submit(client, c.body, c.serial)
  for (const to of ['AUDITING', 'NEED_SIGN', 'FINISH']) await advance(emu, third.applyment_id, to)
  await expect(client.call('POST', `/v3/ecommerce/applyments/out-request-no/${c.body.out_request_no}/revoke`)).rejects.toMatchObject({ status: 400, code: 'INVALID_REQUEST' })
})

test('queries: unknown or another provider’s applyment is 404 RESOURCE_NOT_EXISTS', async () => {
  const a = await applymentBody(client, '2401')
  const { applyment_id } = await submit(client, a.body, a.serial)
  const other = await registerMerchant(emu, { mode: 'partner' })
  const res = await call(emu, other, `/v3/ecommerce/applyments/${applyment_id}`)
  expect(res.status).toBe(404)
  expect(res.json.code).toBe('RESOURCE_NOT_EXISTS')
  expect((await call(emu, sp, `/v3/ecommerce/applyments/out-request-no/${requestNo('NONE')}`)).status).toBe(404)
})

test('control API: only §1.4 transitions (409 otherwise), 404 for an unknown applyment, 400 for a bad target', async () => {
  const a = await applymentBody(client, '2401')
  const { applyment_id } = await submit(client, a.body, a.serial)
  const skip = await advance(emu, applyment_id, 'FINISH')
  expect(skip.status).toBe(409)
  expect(skip.json.error).toMatchObject({ code: 'ILLEGAL_TRANSITION', message: expect.stringContaining('CHECKING') })
  expect((await advance(emu, applyment_id, 'NEED_SIGN')).status).toBe(409)
  expect((await advance(emu, applyment_id, 'CHECKING')).status).toBe(400)
  expect((await advance(emu, 1234, 'AUDITING')).status).toBe(404)
  await advance(emu, applyment_id, 'REJECTED')
  expect((await query(client, { id: applyment_id })).audit_detail).toEqual([{ param_name: expect.any(String), reject_reason: expect.any(String) }])
  expect((await advance(emu, applyment_id, 'AUDITING')).status).toBe(409) // only a resubmission leaves REJECTED
  expect((await query(client, { id: applyment_id })).applyment_state).toBe('REJECTED')
})
