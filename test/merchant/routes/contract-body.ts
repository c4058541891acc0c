import { Value } from '@sinclair/typebox/value'
import { CONTRACT_ERROR_CODES, ERROR_STATUS, type ContractErrorCode } from '../../../src/contract/constants'
import { ErrorBodySchema } from '../../../src/contract/schemas'

/** Asserts an answer is the contract's error: this status, this code, `{ error: { code, message } }`. */
export function expectError(res: { status: number; body: unknown }, code: ContractErrorCode, status: number = ERROR_STATUS[code]) {
  expect({ status: res.status, code: (res.body as { error?: { code?: string } } | null)?.error?.code }).toEqual({ status, code })
  expect(Value.Check(ErrorBodySchema, res.body)).toBe(true)
  expect(CONTRACT_ERROR_CODES).toContain(code)
  expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/) // never a stack
}
