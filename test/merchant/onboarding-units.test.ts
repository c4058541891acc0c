/** Pure parts of onboarding: the data sealer, the image check, and the applyment mapping both ways. */
import { checkApplication } from '../../server/merchant/services/applications/check'
import { AppError } from '../../server/merchant/errors'
import { createSealer, parseDataKey } from '../../server/merchant/services/applications/sealed'
import { imageProblem, sniffImage } from '../../server/merchant/services/applications/media'
import { fieldOf, stateOf, toApplymentRequest } from '../../server/merchant/services/applications/wire'
import type { ApplicationInput } from '../../server/merchant/services/applications/types'
import { idNumber, jpeg, png } from './onboarding-helpers'

describe('sealed personal data (AES-256-GCM)', () => {
  const key = Buffer.alloc(32, 3)
  const sealer = createSealer(key)

  test('opens what it sealed, for the same record only; the sealed text hides the plaintext', () => {
    const sealed = sealer.seal('{"number":"110105194912310021"}', 'A1')
    expect(sealed).toMatch(/^v1\./)
    expect(sealed).not.toContain('110105')
    expect(sealer.open(sealed, 'A1')).toBe('{"number":"110105194912310021"}')
    expect(sealer.seal('x', 'A1')).not.toBe(sealer.seal('x', 'A1')) // a fresh IV each time
    expect(() => sealer.open(sealed, 'A2')).toThrow()
    expect(() => createSealer(Buffer.alloc(32, 4)).open(sealed, 'A1')).toThrow()
  })

  test('a tampered ciphertext does not open', () => {
    const [v, iv, tag, ct] = sealer.seal('secret', 'A1').split('.')
    const flipped = Buffer.from(ct, 'base64')
    flipped[0] ^= 1
    expect(() => sealer.open([v, iv, tag, flipped.toString('base64')].join('.'), 'A1')).toThrow()
    expect(() => sealer.open('garbage', 'A1')).toThrow()
  })

  test.each([
    [Buffer.alloc(32, 1).toString('base64'), true],
    [Buffer.alloc(31, 1).toString('base64'), false],
    [Buffer.alloc(33, 1).toString('base64'), false],
    ['a'.repeat(32), false],
    ['not base64 !!', false],
  ])('parseDataKey(%s) accepts only 32 bytes of base64: %s', (text, ok) => {
    expect(parseDataKey(text) !== null).toBe(ok)
  })
})

describe('image check by content', () => {
  const bmp = () => {
    const b = Buffer.alloc(70)
    b.write('BM', 0, 'latin1')
    b.writeUInt32LE(70, 2)
    b.writeUInt32LE(54, 10)
    return b
  }
  test.each([
    ['png', png(), 'png'],
    ['jpeg', jpeg(), 'jpg'],
    ['bmp', bmp(), 'bmp'],
    ['text', Buffer.from('hello world, not an image'), null],
    ['gif', Buffer.from('GIF89a........................'), null],
    ['empty', Buffer.alloc(0), null],
  ])('%s → %s', (_name, bytes, kind) => {
    expect(sniffImage(bytes as Buffer)).toBe(kind)
  })

  test('a declared type or extension that contradicts the content is refused; silence is fine', () => {
    expect(imageProblem(png(), { filename: 'a.png', mimetype: 'image/png' }).problem).toBeNull()
    expect(imageProblem(png(), { filename: 'blob', mimetype: 'application/octet-stream' }).problem).toBeNull()
    expect(imageProblem(jpeg(), { filename: 'a.jpeg', mimetype: 'image/jpg' }).problem).toBeNull()
    expect(imageProblem(png(), { filename: 'a.jpg' }).problem).toMatch(/\.jpg/)
    expect(imageProblem(png(), { mimetype: 'image/jpeg' }).problem).toMatch(/image\/jpeg/)
    expect(imageProblem(Buffer.from('<svg/>'), { filename: 'a.png', mimetype: 'image/png' }).problem).toMatch(/not a JPG, PNG or BMP/)
  })
})

describe('applyment mapping', () => {
  const input: ApplicationInput = {
    requestId: 'req-00000001',
    organizationType: '4',
    merchantShortname: '老王五金',
    businessLicense: { copyMediaId: 'M_LIC', number: '92110108MA01ABCD3X', merchantName: '个体户老王', legalPerson: '王五' },
    idCard: { portraitMediaId: 'M_P', nationalMediaId: 'M_N', name: '王五', number: idNumber('11010519800101001'), validFrom: '2015-01-01', validUntil: '长期' },
    bankAccount: { type: 'personal', bank: '工商银行', bankAddressCode: '110000', bankBranchId: '102100000012', accountName: '王五', accountNumber: '6222000011112222' },
    contact: { type: 'agent', name: '赵六', mobile: '13900001111', email: 'zl@example.com', idNumber: idNumber('11010519900101002'), authorizationLetterMediaId: 'M_AUTH' },
    store: { name: '老王五金店', qrCodeMediaId: 'M_QR', miniProgramSubAppid: 'wx1234567890abcdef' },
  }
  const encrypt = async (plaintext: string) => ({ ciphertext: `ENC(${Buffer.from(plaintext).toString('base64')})`, serial: 'PUB_KEY_ID_1' })

  test('camelCase → WeChat Pay fields, with every E field encrypted and the e-commerce enums', async () => {
    const { body, serial } = await toApplymentRequest('A123', input, encrypt)
    expect(serial).toBe('PUB_KEY_ID_1')
    const enc = (s: string) => `ENC(${Buffer.from(s).toString('base64')})`
    expect(body).toEqual({
      out_request_no: 'A123',
      organization_type: '4',
      business_license_info: { business_license_copy: 'M_LIC', business_license_number: '92110108MA01ABCD3X', merchant_name: '个体户老王', legal_person: '王五' },
      id_doc_type: 'IDENTIFICATION_TYPE_MAINLAND_IDCARD',
      id_card_info: { id_card_copy: 'M_P', id_card_national: 'M_N', id_card_name: enc('王五'), id_card_number: enc(input.idCard.number), id_card_valid_time_begin: '2015-01-01', id_card_valid_time: '长期' },
      account_info: { bank_account_type: '75', account_bank: '工商银行', account_name: enc('王五'), bank_address_code: '110000', bank_branch_id: '102100000012', account_number: enc('6222000011112222') },
      contact_info: {
        contact_type: '66',
        contact_name: enc('赵六'),
        contact_id_doc_type: 'IDENTIFICATION_TYPE_MAINLAND_IDCARD',
        contact_id_card_number: enc(input.contact.idNumber as string),
        business_authorization_letter: 'M_AUTH',
        mobile_phone: enc('13900001111'),
        contact_email: enc('zl@example.com'),
      },
      sales_scene_info: { store_name: '老王五金店', store_qr_code: 'M_QR', mini_program_sub_appid: 'wx1234567890abcdef' },
      merchant_shortname: '老王五金',
    })
  })

  test('fields encrypted for two different keys are never sent together', async () => {
    let n = 0
    const flaky = async (plaintext: string) => ({ ciphertext: plaintext, serial: n++ === 0 ? 'A' : 'B' })
    await expect(toApplymentRequest('A1', input, flaky)).rejects.toThrow(/more than one/)
  })

  test.each([
    ['id_card_copy', 'idCard.portraitMediaId'],
    ['id_card_national', 'idCard.nationalMediaId'],
    ['/id_card_info/id_card_number', 'idCard.number'],
    ['account_number', 'bankAccount.accountNumber'],
    ['business_license_copy', 'businessLicense.copyMediaId'],
    ['mobile_phone', 'contact.mobile'],
    ['store_url', 'store.url'],
    ['merchant_shortname', 'merchantShortname'],
    ['something_new', 'something_new'],
  ])('param_name %s → %s', (param, field) => {
    expect(fieldOf(param)).toBe(field)
  })

  test.each([
    ['CHECKING', 'checking'],
    ['ACCOUNT_NEED_VERIFY', 'account_need_verify'],
    ['NEED_SIGN', 'need_sign'],
    ['FINISH', 'finished'],
    ['CANCELED', 'canceled'],
    [undefined, null],
    ['SOMETHING_ELSE', null],
  ])('applyment_state %s → %s', (state, mapped) => {
    expect(stateOf({ applyment_state: state })).toBe(mapped)
  })
})

describe('checkApplication', () => {
  const valid = () => ({
    requestId: 'req-00000001',
    organizationType: '2401',
    merchantShortname: ' 小店 ',
    idCard: { portraitMediaId: 'M1', nationalMediaId: 'M2', name: '李四', number: idNumber('11010519800101001').toLowerCase(), validFrom: '2015-01-01', validUntil: '长期' },
    bankAccount: { type: 'personal', bank: '工商银行', bankAddressCode: '110000', accountName: '李四', accountNumber: '6222000011112222' },
    contact: { type: 'legal', name: '李四', mobile: '13900001111' },
    store: { name: '小店', url: 'https://shop.example.com/x' },
    sneaky: { extra: 'dropped' },
  })
  const detailsOf = (body: unknown) => {
    try {
      checkApplication(body, '2026-12-01')
    } catch (e) {
      expect(e).toBeInstanceOf(AppError)
      expect((e as AppError).code).toBe('INVALID_APPLICATION')
      return ((e as AppError).details ?? []).map((d) => d.field)
    }
    return []
  }

  test('a valid body comes back trimmed, without unknown fields, the ID number upper-case', () => {
    const input = checkApplication(valid(), '2026-12-01')
    expect(input.merchantShortname).toBe('小店')
    expect(input.idCard.number).toMatch(/^\d{17}[\dX]$/)
    expect((input as unknown as Record<string, unknown>).sneaky).toBeUndefined()
  })

  test('the schema\'s limits and the rules are reported together, one detail per field', () => {
    const body = valid()
    const fields = detailsOf({ ...body, requestId: 'x', bankAccount: { ...body.bankAccount, bankName: '行'.repeat(200) }, contact: { ...body.contact, mobile: '1' } })
    expect(fields).toEqual(expect.arrayContaining(['requestId', 'bankAccount.bankName', 'contact.mobile']))
    expect(new Set(fields).size).toBe(fields.length)
  })

  test('an agent as super administrator is refused up front (WeChat Pay needs photos of the agent\'s ID card the form lacks)', () => {
    const body = valid()
    const fields = detailsOf({ ...body, organizationType: '4', businessLicense: { copyMediaId: 'M3', number: '92110108MA01ABCD3X', merchantName: '个体户李四', legalPerson: '李四' }, contact: { type: 'agent', name: '赵六', mobile: '13900001111', email: 'zl@example.com', idNumber: idNumber('11010519900101002'), authorizationLetterMediaId: 'M4' } })
    expect(fields).toEqual(['contact.type'])
  })

  test('企业 needs the legal person\'s ID-card address', () => {
    expect(detailsOf({ ...valid(), organizationType: '2' })).toContain('idCard.address')
    expect(detailsOf('not an object')).toEqual(expect.arrayContaining(['organizationType']))
  })
})
