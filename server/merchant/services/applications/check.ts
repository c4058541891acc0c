/** The server side of the onboarding form's rules: every bad field at once, then a clean, trimmed body. */
import { Value } from '@sinclair/typebox/value'
import { validateApplication } from '../../../../src/contract/application-rules'
import { ApplicationRequestSchema, type FieldError } from '../../../../src/contract/schemas'
import { AppError } from '../../errors'
import type { ApplicationInput } from './types'

const pathOf = (pointer: string) => pointer.replace(/^\//, '').replace(/\//g, '.')

/**
 * Throws INVALID_APPLICATION naming every bad field at once (the contract's rules, the schema's
 * types and lengths, and 企业's ID-card address), or answers the body cleaned of unknown fields.
 */
export function checkApplication(body: unknown, today: string): ApplicationInput {
  const details: FieldError[] = validateApplication(body, today)
  const add = (field: string, message: string) => {
    // One detail per field; a group (`store`) is not repeated when one of its fields is named, nor the reverse.
    if (!details.some((d) => d.field === field || field.startsWith(`${d.field}.`) || d.field.startsWith(`${field}.`))) details.push({ field, message })
  }
  for (const e of Value.Errors(ApplicationRequestSchema, body)) {
    if (e.path === '') add('', '请求体应为 JSON 对象')
    else add(pathOf(e.path), e.path === '/requestId' ? 'requestId 应为 8–64 位字母、数字、_ 或 -' : `格式不正确：${e.message}`)
  }
  const b = (typeof body === 'object' && body !== null ? body : {}) as { organizationType?: unknown; idCard?: { address?: unknown } }
  const address = b.idCard?.address
  if (address !== undefined && (typeof address !== 'string' || [...address].length > 128)) add('idCard.address', '身份证居住地址最多 128 个字')
  else if (b.organizationType === '2' && !(typeof address === 'string' && address.trim())) add('idCard.address', '企业须填写法定代表人身份证上的居住地址')
  // WeChat Pay needs the agent's ID-card photos and validity for "66", which the form does not collect yet:
  // refused here rather than failing at WeChat Pay.
  if ((b as { contact?: { type?: unknown } }).contact?.type === 'agent') add('contact.type', '暂不支持经办人作为超级管理员，请由经营者/法定代表人本人作为超级管理员')
  if (details.length) throw new AppError('INVALID_APPLICATION', `${details.length} field(s) need attention`, { details })
  const input = trimmed(Value.Clean(ApplicationRequestSchema, structuredClone(body))) as ApplicationInput
  if (typeof address === 'string' && address.trim()) input.idCard.address = address.trim()
  // Checked case-insensitively above; sent as WeChat Pay writes them.
  input.idCard.number = input.idCard.number.toUpperCase()
  if (input.contact.idNumber) input.contact.idNumber = input.contact.idNumber.toUpperCase()
  return input
}

/** Every string trimmed, as the rules read them. */
const trimmed = (v: unknown): unknown =>
  typeof v === 'string' ? v.trim() : Array.isArray(v) ? v.map(trimmed) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, trimmed(x)])) : v
