import type { Static, TSchema } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import { ValueErrorType } from '@sinclair/typebox/errors'
import { paramError } from '../errors'

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>()

/** Characters outside the Basic Multilingual Plane (4-byte UTF-8): WeChat Pay accepts only 1–3-byte characters. */
const SUPPLEMENTARY = /[\u{10000}-\u{10FFFF}]/u

/** The JSON pointer of the first string holding a 4-byte UTF-8 character, or null. */
export function findSupplementary(value: unknown, path: string): string | null {
  if (typeof value === 'string') return SUPPLEMENTARY.test(value) ? path : null
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findSupplementary(value[i], `${path}/${i}`)
      if (hit) return hit
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const hit = findSupplementary(v, `${path}/${k}`)
      if (hit) return hit
    }
  }
  return null
}

const issueOf = (type: ValueErrorType, message: string, schema: TSchema): string => {
  switch (type) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required'
    case ValueErrorType.StringMaxLength:
      return `is longer than ${schema.maxLength} characters`
    case ValueErrorType.StringMinLength:
      return `is shorter than ${schema.minLength} characters`
    case ValueErrorType.StringPattern:
      return `does not match ${schema.pattern}`
    case ValueErrorType.Integer:
      return 'must be an integer'
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return `must be at least ${schema.minimum}`
    case ValueErrorType.String:
      return 'must be a string'
    case ValueErrorType.Boolean:
      return 'must be a boolean'
    case ValueErrorType.Object:
      return 'must be an object'
    case ValueErrorType.Array:
      return 'must be an array'
    default:
      return message
  }
}

/**
 * Checks a body against its schema the way WeChat Pay reports it: the first broken field as a
 * 400 PARAM_ERROR with a JSON-pointer `detail.field` (wechatpay-v3.md §9). Returns the typed body.
 */
export function validateBody<T extends TSchema>(schema: T, value: unknown): Static<T> {
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw paramError('/', 'request body must be a JSON object', undefined)
  }
  let check = compiled.get(schema)
  if (!check) {
    check = TypeCompiler.Compile(schema)
    compiled.set(schema, check)
  }
  const first = check.Check(value) ? undefined : check.Errors(value).First()
  if (first) {
    // TypeBox reports a missing required property at its own path; a union reports the union path.
    throw paramError(first.path || '/', issueOf(first.type, first.message, first.schema), first.value)
  }
  const bad = findSupplementary(value, '')
  if (bad) throw paramError(bad, 'contains a character outside UTF-8 1–3 bytes (emoji are not accepted)')
  return value as Static<T>
}
