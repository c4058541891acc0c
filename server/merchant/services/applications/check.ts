/** The server side of the onboarding form's rules: every bad field at once, then a clean, trimmed body. */
import { Value } from '@sinclair/typebox/value'
import { validateApplication } from '../../../../src/contract/application-rules'
import { ApplicationRequestSchema, type FieldError } from '../../../../src/contract/schemas'
import { AppError } from '../../errors'
import type { ApplicationInput } from './types'

const pathOf = (pointer: string) => pointer.replace(/^\//, '').replace(/\//g, '.')

/**
 * Throws INVALID_APPLICATION naming every bad field at once (the contract's rules, the schema's
 * types and lengths), or answers the body cleaned of unknown fields.
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
  if (details.length) throw new AppError('INVALID_APPLICATION', `${details.length} field(s) need attention`, { details })
  const input = trimmed(Value.Clean(ApplicationRequestSchema, structuredClone(body))) as ApplicationInput
  // Checked case-insensitively above; sent as WeChat Pay writes them.
  input.idCard.number = input.idCard.number.toUpperCase()
  if (input.contact.idNumber) input.contact.idNumber = input.contact.idNumber.toUpperCase()
  return input
}

/** Every string trimmed, as the rules read them. */
const trimmed = (v: unknown): unknown =>
  typeof v === 'string' ? v.trim() : Array.isArray(v) ? v.map(trimmed) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, trimmed(x)])) : v
