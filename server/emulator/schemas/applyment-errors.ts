/**
 * WeChat Pay's error bodies for the applyment body (wechatpay-service-provider.md §0): the required
 * and type messages are the observed ones; the length, format and enum wordings are UNCONFIRMED.
 */
import type { TSchema } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import { ValueErrorType } from '@sinclair/typebox/errors'
import { ApiError } from '../errors'
import { ApplymentBody, titleAt } from './applyment'
import { findSupplementary } from './validate'

/** `输入源“/x”映射到字段“名称”必填性规则校验失败,此字段为必填项` (observed). */
export const requiredError = (pointer: string, issue = 'is required') =>
  new ApiError('PARAM_ERROR', `输入源“${pointer}”映射到字段“${titleAt(pointer)}”必填性规则校验失败,此字段为必填项`, { field: pointer, location: 'body', issue })

/** `无法将传入参数“名称”转换为string/bytes类型。` (observed for strings; other kinds by analogy). */
export const typeError = (pointer: string, kind: string, value: unknown) =>
  new ApiError('PARAM_ERROR', `无法将传入参数“${titleAt(pointer)}”转换为${kind}类型。`, { field: pointer, location: 'body', value, issue: `must be ${kind}` })

/** A field that has the right type but a value WeChat Pay refuses (wording UNCONFIRMED). */
export const fieldError = (pointer: string, reason: string, issue: string, value?: unknown) =>
  new ApiError('PARAM_ERROR', `输入源“${pointer}”映射到字段“${titleAt(pointer)}”${reason}`, { field: pointer, location: 'body', ...(value !== undefined ? { value } : {}), issue })

const KIND: Partial<Record<ValueErrorType, string>> = {
  [ValueErrorType.String]: 'string/bytes',
  [ValueErrorType.Boolean]: 'bool',
  [ValueErrorType.Integer]: 'int64',
  [ValueErrorType.Number]: 'int64',
  [ValueErrorType.Object]: 'object',
  [ValueErrorType.Array]: 'array',
}

let check: TypeCheck<TSchema> | undefined

/** Checks the applyment body's shape; the first broken field as WeChat Pay reports it. */
export function validateApplymentShape(value: unknown): void {
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ApiError('PARAM_ERROR', '请求体不是有效的JSON对象', { location: 'body', issue: 'request body must be a JSON object' })
  }
  check ??= TypeCompiler.Compile(ApplymentBody)
  const e = check.Check(value) ? undefined : check.Errors(value).First()
  if (!e) {
    const bad = findSupplementary(value, '')
    if (bad) throw fieldError(bad, '包含不支持的字符', 'contains a character outside UTF-8 1–3 bytes (emoji are not accepted)')
    return
  }
  const pointer = e.path || '/'
  const schema = e.schema as TSchema
  if (e.type === ValueErrorType.ObjectRequiredProperty) throw requiredError(pointer)
  const kind = KIND[e.type]
  if (kind) throw typeError(pointer, kind, e.value)
  if (e.type === ValueErrorType.Union) {
    const consts = (schema.anyOf as TSchema[]).map((s) => s.const).filter((c) => c !== undefined)
    if (consts.length && typeof e.value !== 'string') throw typeError(pointer, 'string/bytes', e.value)
    if (consts.length) throw fieldError(pointer, '枚举值校验失败', `must be one of ${consts.join(', ')}`, e.value)
    throw typeError(pointer, 'array', e.value)
  }
  if (e.type === ValueErrorType.StringMaxLength || e.type === ValueErrorType.ArrayMaxItems) throw fieldError(pointer, '长度校验失败', `is longer than ${schema.maxLength ?? schema.maxItems}`, e.value)
  if (e.type === ValueErrorType.StringMinLength || e.type === ValueErrorType.ArrayMinItems) throw requiredError(pointer, 'is empty')
  if (e.type === ValueErrorType.StringPattern) throw fieldError(pointer, '格式校验失败', `does not match ${schema.pattern}`, e.value)
  throw fieldError(pointer, '校验失败', e.message, e.value)
}
