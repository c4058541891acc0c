/** Bodies of the control API (/__emulator/*), one schema per call (architecture.md §Emulator contract). */
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import { ControlError } from '../errors'

const Id = (max = 32) => Type.String({ minLength: 1, maxLength: max, pattern: '^[0-9A-Za-z_\\-]+$' })

export const RegisterMerchantBody = Type.Object({
  mchid: Id(),
  serialNo: Type.String({ pattern: '^[0-9A-Fa-f]{8,40}$' }),
  publicKeyPem: Type.String({ minLength: 1 }),
  apiV3Key: Type.String({ minLength: 1 }),
  appIds: Type.Array(Id()),
  subMchids: Type.Optional(Type.Array(Type.Union([Id(), Type.Object({ mchid: Id(), appIds: Type.Optional(Type.Array(Id())), maxRatioBps: Type.Optional(Type.Integer({ minimum: 0, maximum: 3000 })) })]))),
})
export type RegisterMerchantBody = Static<typeof RegisterMerchantBody>

export const RegisterAppBody = Type.Object({ appId: Id(), secret: Type.String({ minLength: 1, maxLength: 128 }) })
export const LoginBody = Type.Object({ appId: Id(), openid: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[0-9A-Za-z_\\-]+$' })) })
export const PayBody = Type.Object({
  appId: Id(),
  openid: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('cancel'), Type.Literal('fail')])),
  /** A coupon covering this many fen: the payer pays total − couponFen. */
  couponFen: Type.Optional(Type.Integer({ minimum: 1 })),
})
export const ComponentBody = Type.Object({ componentAppId: Id(), secret: Type.String({ minLength: 1, maxLength: 128 }), authorizedAppIds: Type.Array(Id()) })
export const ClockBody = Type.Object({ advanceMs: Type.Integer({ minimum: 0 }) })
export const PlatformSwitchBody = Type.Object({
  mode: Type.Optional(Type.Union([Type.Literal('publicKey'), Type.Literal('certificate')])),
  complete: Type.Optional(Type.Boolean()),
})

export const SettleRefundBody = Type.Object({
  status: Type.Union([Type.Literal('SUCCESS'), Type.Literal('ABNORMAL'), Type.Literal('CLOSED')]),
  mchid: Type.Optional(Id()),
})

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>()

/** Checks a control body; a 400 BAD_REQUEST names the first bad field. */
export function controlBody<T extends TSchema>(schema: T, value: unknown): Static<T> {
  let check = compiled.get(schema)
  if (!check) compiled.set(schema, (check = TypeCompiler.Compile(schema)))
  if (value === undefined || value === null || typeof value !== 'object') throw new ControlError(400, 'BAD_REQUEST', 'body must be a JSON object')
  const first = check.Errors(value).First()
  if (first) throw new ControlError(400, 'BAD_REQUEST', `${first.path || '/'}: ${first.message}`)
  return value as Static<T>
}
