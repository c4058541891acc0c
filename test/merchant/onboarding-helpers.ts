/** Onboarding test data: real image headers, valid ID numbers, form bodies, and the emulator's applyment control API. */
import type { Json } from '../support/json'
import { deflateSync } from 'node:zlib'
import type { EmulatorHandle } from '../support/emulator'
import type { BackendHandle } from '../support/merchant'
import { call, requestId } from './helpers'
import { idNumber } from '../support/id-number'

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const crc32 = (buf: Buffer) => {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
const chunk = (type: string, data: Buffer) => {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

/** A real PNG (grey, `size`×`size`), optionally padded with random-looking noise rows to reach a byte size. */
export function png(size = 8, seed = 1): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 0 // greyscale
  const raw = Buffer.alloc(size * (size + 1))
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) raw[y * (size + 1) + 1 + x] = (x * 31 + y * 17 + seed * 101) & 0xff
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 0 })), chunk('IEND', Buffer.alloc(0))])
}

/** A JPEG start (SOI + JFIF APP0) followed by filler: enough for a content check. */
export const jpeg = () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0', 'latin1'), Buffer.alloc(64, 1), Buffer.from([0xff, 0xd9])])

export { idNumber }

/** The personal data the tests use: none of it may appear in a view, a log or the database in the clear. */
export const PERSON = {
  name: '张三丰',
  number: idNumber('11010519491231002'),
  address: '北京市海淀区中关村大街27号',
  account: '6222020200112233445',
  mobile: '13812345678',
  email: 'zhang.sanfeng@example.com',
}

/** Uploads an image through POST /api/media (multipart, one `file` part). */
export async function uploadImage(backend: BackendHandle, token: string, bytes: Buffer, filename = 'photo.png', type = 'image/png') {
  const form = new FormData()
  form.append('file', new Blob([bytes], { type }), filename)
  const res = await fetch(`${backend.url}/api/media`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form })
  return { status: res.status, body: (await res.json()) as Json }
}

/** Uploads a fresh PNG and answers its mediaId (expects 201). */
export async function mediaId(backend: BackendHandle, token: string, seed = 1): Promise<string> {
  const res = await uploadImage(backend, token, png(8, seed))
  expect(res.status).toBe(201)
  return res.body.mediaId as string
}

/** A 小微 (2401) application body with freshly uploaded ID-card photos. */
export async function microBody(backend: BackendHandle, token: string, over: Record<string, unknown> = {}) {
  return {
    requestId: requestId('app'),
    organizationType: '2401',
    merchantShortname: '三丰小卖部',
    idCard: { portraitMediaId: await mediaId(backend, token, 1), nationalMediaId: await mediaId(backend, token, 2), name: PERSON.name, number: PERSON.number, validFrom: '2015-03-01', validUntil: '2035-03-01' },
    bankAccount: { type: 'personal', bank: '工商银行', bankAddressCode: '110000', accountName: PERSON.name, accountNumber: PERSON.account },
    contact: { type: 'legal', name: PERSON.name, mobile: PERSON.mobile },
    store: { name: '三丰小卖部', url: 'https://shop.example.com/sanfeng' },
    ...over,
  }
}

/** An enterprise (2) application body: licence, corporate account, legal-person contact with e-mail. */
export async function enterpriseBody(backend: BackendHandle, token: string, over: Record<string, unknown> = {}) {
  return {
    requestId: requestId('app'),
    organizationType: '2',
    merchantShortname: '武当山贸易',
    businessLicense: { copyMediaId: await mediaId(backend, token, 3), number: '91110108MA01ABCD3X', merchantName: '北京武当山贸易有限公司', legalPerson: PERSON.name },
    idCard: { portraitMediaId: await mediaId(backend, token, 4), nationalMediaId: await mediaId(backend, token, 5), name: PERSON.name, number: PERSON.number, address: PERSON.address, validFrom: '2010-01-01', validUntil: '长期' },
    bankAccount: { type: 'corporate', bank: '招商银行', bankAddressCode: '110000', bankName: '招商银行北京分行中关村支行', accountName: '北京武当山贸易有限公司', accountNumber: '110902233410601' },
    contact: { type: 'legal', name: PERSON.name, mobile: PERSON.mobile, email: PERSON.email },
    store: { name: '武当山贸易旗舰店', url: 'https://shop.example.com/wudang' },
    ...over,
  }
}

export interface EmulatedApplyment {
  applymentId: number
  outRequestNo: string
  mchid: string
  state: string
  subMchid?: string
  request: Json
  decrypted: Record<string, string>
}

/** The emulator's applyments (control API). */
export async function emulatedApplyments(emu: EmulatorHandle): Promise<EmulatedApplyment[]> {
  const res = await fetch(`${emu.url}/__emulator/applyments`)
  return ((await res.json()) as { applyments: EmulatedApplyment[] }).applyments
}

/** The emulator's applyment of one of our applications (out_request_no = applicationNo). */
export async function emulatedApplyment(emu: EmulatorHandle, applicationNo: string): Promise<EmulatedApplyment> {
  const found = (await emulatedApplyments(emu)).find((a) => a.outRequestNo === applicationNo)
  if (!found) throw new Error(`no applyment ${applicationNo} at the emulator`)
  return found
}

/** Moves an applyment along through the control API (what WeChat Pay's reviewers and the signer do). */
export async function advance(emu: EmulatorHandle, applicationNo: string, ...steps: Array<string | { to: string; auditDetail: Array<{ param_name: string; reject_reason: string }> }>) {
  const { applymentId } = await emulatedApplyment(emu, applicationNo)
  for (const step of steps) {
    const body = typeof step === 'string' ? { to: step } : step
    const res = await fetch(`${emu.url}/__emulator/applyments/${applymentId}/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    if (!res.ok) throw new Error(`advance ${body.to}: ${res.status} ${await res.text()}`)
  }
}

/** GET /api/applications/:no. */
export const getApplication = async (backend: BackendHandle, token: string, no: string) => call(backend, 'GET', `/api/applications/${no}`, { token })
