/**
 * What POST /v3/ecommerce/applyments/ refuses, with WeChat Pay's bodies (wechatpay-service-provider.md
 * §0, §1.1, §1.5): Wechatpay-Serial, plaintext / wrong key / PKCS#1 v1.5 fields, foreign media ids,
 * required fields and types, and the rules of each organization type.
 */
import { constants, generateKeyPairSync, publicEncrypt } from 'node:crypto'
import { encryptSensitive, loadPublicKey, type WechatPayClient } from '../../server/wechatpay'
import { registerMerchant, startEmulator, type EmulatorHandle, type TestMerchant } from '../support/emulator'
import { applymentBody, asAgent, idNumber, listApplyments, upload, type OrgType } from './applyment-fixtures'
import { call, clientFor, signedByPlatform } from './helpers'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

let emu: EmulatorHandle
let sp: TestMerchant
let client: WechatPayClient

beforeAll(async () => {
  emu = await startEmulator()
  sp = await registerMerchant(emu, { mode: 'partner' })
  client = clientFor(emu, sp)
})
afterAll(() => emu.close())

const platformKey = () => loadPublicKey(sp.platform.publicKeyPem)
const post = (body: unknown, serial: string | null = sp.platform.serialNo, as?: TestMerchant) =>
  call(emu, as ?? sp, '/v3/ecommerce/applyments/', { body, headers: serial === null ? {} : { 'Wechatpay-Serial': serial } })

async function refused(body: unknown, serial?: string | null) {
  const before = (await listApplyments(emu)).length
  const res = await post(body, serial)
  expect(res.status).toBe(400)
  expect(signedByPlatform(sp, res)).toBe(true)
  expect((await listApplyments(emu)).length).toBe(before) // nothing stored
  return res.json as Json
}

test('Wechatpay-Serial: missing, or not one of the merchant’s platform keys', async () => {
  const { body } = await applymentBody(client, '2401')
  expect(await refused(body, null)).toEqual({ code: 'PARAM_ERROR', message: 'HTTP header缺少微信支付平台证书序列号(Wechatpay-Serial)' })
  expect(await refused(body, sp.serialNo)).toEqual({ code: 'PARAM_ERROR', message: '平台证书序列号Wechatpay-Serial错误' }) // the merchant's own certificate serial
  expect(await refused(body, 'PUB_KEY_ID_0000000000000000000000000000')).toEqual({ code: 'PARAM_ERROR', message: '平台证书序列号Wechatpay-Serial错误' })
  expect((await post(body)).status).toBe(200)
})

test('sensitive fields: plaintext, another key, PKCS#1 v1.5 and OAEP-SHA256 are refused with WeChat Pay’s messages', async () => {
  const { body } = await applymentBody(client, '2401')
  const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey
  const cases: Array<[string, string]> = [
    [PLAIN_NAME, '请确认待处理的消息是否为加密后的密文'],
    [Buffer.from(PLAIN_NAME).toString('base64'), '请确认待处理的消息是否为加密后的密文'],
    [encryptSensitive(PLAIN_NAME, strangerKey), '平台私钥解密失败'],
    [publicEncrypt({ key: platformKey(), padding: constants.RSA_PKCS1_PADDING }, Buffer.from(PLAIN_NAME)).toString('base64'), 'the field you encrypt is error '],
    [publicEncrypt({ key: platformKey(), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(PLAIN_NAME)).toString('base64'), '平台私钥解密失败'],
  ]
  for (const [value, message] of cases) {
    const bad = structuredClone(body)
    bad.contact_info.contact_name = value
    const err = await refused(bad)
    expect(err).toMatchObject({ code: 'PARAM_ERROR', message, detail: { field: '/contact_info/contact_name', location: 'body' } })
  }
})
const PLAIN_NAME = '张三'

test('media ids must come from this emulator’s upload by the same merchant', async () => {
  const { body } = await applymentBody(client, '2401')
  const other = await registerMerchant(emu, { mode: 'partner' })
  const foreign = await upload(clientFor(emu, other))
  for (const id of [foreign, 'V1_not-issued-by-wechatpay']) {
    const bad = structuredClone(body)
    bad.id_card_info.id_card_national = id
    expect(await refused(bad)).toMatchObject({ code: 'PARAM_ERROR', message: '证书图片图片内容无效', detail: { field: '/id_card_info/id_card_national', value: id } })
  }
  const list = structuredClone(body)
  list.business_addition_pics = [await upload(client), foreign]
  expect(await refused(list)).toMatchObject({ message: '证书图片图片内容无效', detail: { field: '/business_addition_pics/1' } })
})

test('required fields and types: WeChat Pay’s messages with the JSON pointer and the Chinese field name', async () => {
  const { body } = await applymentBody(client, '2401')
  const without = structuredClone(body)
  delete without.contact_info.mobile_phone
  expect(await refused(without)).toEqual({
    code: 'PARAM_ERROR',
    message: '输入源“/contact_info/mobile_phone”映射到字段“超级管理员手机”必填性规则校验失败,此字段为必填项',
    detail: { field: '/contact_info/mobile_phone', location: 'body', issue: 'is required' },
  })
  const noNumber = structuredClone(body)
  delete noNumber.out_request_no
  expect((await refused(noNumber)).message).toBe('输入源“/out_request_no”映射到字段“业务申请编号”必填性规则校验失败,此字段为必填项')
  const numeric = structuredClone(body)
  numeric.contact_info.contact_type = 65
  expect(await refused(numeric)).toMatchObject({ code: 'PARAM_ERROR', message: '无法将传入参数“超级管理员类型”转换为string/bytes类型。', detail: { field: '/contact_info/contact_type', location: 'body', value: 65 } })
  const bankAsWord = structuredClone(body)
  bankAsWord.account_info.bank_account_type = 'BANK_ACCOUNT_TYPE_PERSONAL' // the applyment4sub spelling
  expect(await refused(bankAsWord)).toMatchObject({ detail: { field: '/account_info/bank_account_type' } })
  const sub4Doc = structuredClone(body)
  sub4Doc.id_doc_type = 'IDENTIFICATION_TYPE_IDCARD' // applyment4sub, not e-commerce
  expect(await refused(sub4Doc)).toMatchObject({ detail: { field: '/id_doc_type' } })
  expect(await refused('[]')).toMatchObject({ code: 'PARAM_ERROR' })
})

type Edit = (b: Json) => void | Promise<void>
const rules: Array<[string, OrgType, Edit, string | RegExp, string]> = [
  ['小微 with a corporate account', '2401', (b) => { b.account_info.bank_account_type = '74' }, /与主体类型不符/, '/account_info/bank_account_type'],
  ['小微 with a business licence', '2401', async (b) => { b.business_license_info = { business_license_copy: await upload(client), business_license_number: '91110105MA01ABCD1X', merchant_name: '某某', legal_person: '张三' } }, /与主体类型不符/, '/business_license_info'],
  ['小微 with an agent administrator', '2401', (b) => { b.contact_info.contact_type = '66' }, /与主体类型不符/, '/contact_info/contact_type'],
  ['小微 with a passport', '2401', (b) => { b.id_doc_type = 'IDENTIFICATION_TYPE_OVERSEA_PASSPORT' }, /与主体类型不符/, '/id_doc_type'],
  ['个人卖家 without business_addition_desc', '2500', (b) => { delete b.business_addition_desc }, /^输入源“\/business_addition_desc”.*必填/, '/business_addition_desc'],
  ['个体户 without a licence', '4', (b) => { delete b.business_license_info }, /必填/, '/business_license_info'],
  ['个体户 with a malformed licence number', '4', (b) => { b.business_license_info.business_license_number = '91110105ma01abcd1x' }, /格式校验失败/, '/business_license_info/business_license_number'],
  ['个体户 without an e-mail', '4', (b) => { delete b.contact_info.contact_email }, /必填/, '/contact_info/contact_email'],
  ['企业 with a personal account', '2', (b) => { b.account_info.bank_account_type = '75' }, /与主体类型不符/, '/account_info/bank_account_type'],
  ['企业 without owner', '2', (b) => { delete b.owner }, /必填/, '/owner'],
  ['企业 without the ID card address', '2', (b) => { delete b.id_card_info.id_card_address }, /必填/, '/id_card_info/id_card_address'],
  ['企业 not owned by the legal person, without beneficial owners', '2', (b) => { b.owner = false }, /必填/, '/ubo_info_list'],
  ['事业单位 without cert_type', '3', (b) => { delete b.business_license_info.cert_type }, /必填/, '/business_license_info/cert_type'],
  ['事业单位 with business_time not a JSON array string', '3', (b) => { b.business_license_info.business_time = '2014-01-01至长期' }, /格式校验失败/, '/business_license_info/business_time'],
  ['经办人 without the authorization letter', '4', async (b) => { await asAgent(client, b); delete b.contact_info.business_authorization_letter }, '请填写业务办理授权函', '/contact_info/business_authorization_letter'],
  ['经办人 without validity dates (either spelling)', '4', async (b) => { await asAgent(client, b); delete b.contact_info.contact_id_doc_period_end }, /必填/, '/contact_info/contact_id_doc_period_end'],
  ['no store url nor QR code', '2401', (b) => { delete b.sales_scene_info.store_url }, /必填/, '/sales_scene_info/store_url'],
  ['ID card valid until before it begins', '4', (b) => { b.id_card_info.id_card_valid_time = '2018-01-01' }, /晚于/, '/id_card_info/id_card_valid_time'],
  ['an ID number with a wrong check digit', '2401', async (b) => { b.id_card_info.id_card_number = (await client.encryptSensitive(`${idNumber('11010519900307123').slice(0, 17)}0`)).ciphertext }, /格式校验失败/, '/id_card_info/id_card_number'],
  ['a 10-digit mobile', '2401', async (b) => { b.contact_info.mobile_phone = (await client.encryptSensitive('1380013800')).ciphertext }, /格式校验失败/, '/contact_info/mobile_phone'],
  ['a bank name instead of its alias', '2401', (b) => { b.account_info.account_bank = '中国工商银行' }, '开户银行取值有误，不在微信支付提供的银行对照表中，请检查后再试', '/account_info/account_bank'],
  ['其他银行 without bank_name or bank_branch_id', '2401', (b) => { b.account_info.account_bank = '其他银行' }, /必填/, '/account_info/bank_branch_id'],
  ['an emoji in the store name', '2401', (b) => { b.sales_scene_info.store_name = '张三的小店😀' }, /包含不支持的字符/, '/sales_scene_info/store_name'],
  ['qualifications as a string that is not a JSON array', '2401', (b) => { b.qualifications = 'abc' }, /格式校验失败/, '/qualifications'],
]

test.each(rules)('%s is refused', async (_name, type, edit, message, field) => {
  const { body } = await applymentBody(client, type)
  await edit(body)
  const err = await refused(body)
  expect(err.code).toBe('PARAM_ERROR')
  if (typeof message === 'string') expect(err.message).toBe(message)
  else expect(err.message).toMatch(message)
  expect(err.detail.field).toBe(field)
})

test('a 企业 with beneficial owners (both date spellings) and qualifications as an array is accepted', async () => {
  const { body, serial } = await applymentBody(client, '2')
  body.owner = false
  const ubo = async (spelling: 'ubo_id_doc_period' | 'ubo_period') => ({
    ubo_id_doc_type: 'IDENTIFICATION_TYPE_MAINLAND_IDCARD',
    ubo_id_doc_copy: await upload(client),
    ubo_id_doc_copy_back: await upload(client),
    ubo_id_doc_name: (await client.encryptSensitive('王五')).ciphertext,
    ubo_id_doc_number: (await client.encryptSensitive(idNumber('44030519800101001'))).ciphertext,
    ubo_id_doc_address: (await client.encryptSensitive('深圳市南山区1号')).ciphertext,
    [`${spelling}_begin`]: '2015-01-01',
    [`${spelling}_end`]: '2035-01-01',
  })
  body.ubo_info_list = [await ubo('ubo_id_doc_period'), await ubo('ubo_period')]
  body.qualifications = [await upload(client)]
  Object.assign(body.account_info, { account_bank: '其他银行', bank_name: '上海银行股份有限公司浦东分行' })
  const res = await post(body, serial)
  expect(res.status).toBe(200)
  const [listed] = (await listApplyments(emu)).filter((a) => a.applymentId === res.json.applyment_id)
  expect(listed.decrypted['/ubo_info_list/1/ubo_id_doc_name']).toBe('王五')
})
