/**
 * Request bodies of the profit-sharing (分账) and e-commerce refund endpoints
 * (wechatpay-service-provider.md §3–§5), as TypeBox schemas.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { OUT_REFUND_NO_PATTERN, OUT_TRADE_NO_PATTERN } from '../../wechatpay'

const Str = (maxLength: number, minLength = 1, extra: Record<string, unknown> = {}) => Type.String({ minLength, maxLength, ...extra })
const Opt = <T extends TSchema>(t: T) => Type.Optional(t)
const Lit = <T extends string>(...values: T[]) => Type.Union(values.map((v) => Type.Literal(v)))

/** out_order_no / out_return_no: up to 64 characters of [0-9A-Za-z_-|*@]. */
export const OUT_ORDER_NO_PATTERN = '^[0-9A-Za-z_\\-|*@]{1,64}$'
const OutNo = () => Str(64, 1, { pattern: OUT_ORDER_NO_PATTERN })

/** POST /v3/ecommerce/profitsharing/orders: `receiver_account`, or `receiver_mchid` for a merchant (both forms are seen). */
export const EcommerceSplitBody = Type.Object({
  appid: Opt(Str(32)),
  sub_mchid: Str(32),
  transaction_id: Str(32),
  out_order_no: OutNo(),
  receivers: Type.Array(
    Type.Object({
      type: Lit('MERCHANT_ID', 'PERSONAL_OPENID'),
      receiver_account: Opt(Str(64)),
      receiver_mchid: Opt(Str(32)),
      amount: Type.Integer({ minimum: 1 }),
      description: Str(180),
      receiver_name: Opt(Str(1024)),
    }),
    { minItems: 1, maxItems: 50 },
  ),
  finish: Type.Boolean(),
  notify_url: Opt(Str(256)),
})
export type EcommerceSplitBody = Static<typeof EcommerceSplitBody>

/** POST /v3/ecommerce/profitsharing/finish-order. */
export const EcommerceFinishBody = Type.Object({ sub_mchid: Str(32), transaction_id: Str(32), out_order_no: OutNo(), description: Str(80) })
export type EcommerceFinishBody = Static<typeof EcommerceFinishBody>

/** POST /v3/ecommerce/profitsharing/returnorders and /v3/profitsharing/return-orders (order_id or out_order_no). */
export const ReturnBody = Type.Object({
  sub_mchid: Str(32),
  order_id: Opt(Str(64)),
  out_order_no: Opt(OutNo()),
  out_return_no: OutNo(),
  return_mchid: Str(32),
  amount: Type.Integer({ minimum: 1 }),
  description: Str(80),
  transaction_id: Opt(Str(32)),
})
export type ReturnBody = Static<typeof ReturnBody>

/** POST /v3/ecommerce/profitsharing/receivers/add (delete takes appid, type, account). */
export const EcommerceReceiverBody = Type.Object({
  appid: Str(32),
  type: Lit('MERCHANT_ID', 'PERSONAL_OPENID'),
  account: Str(64),
  name: Opt(Str(1024)),
  encrypted_name: Opt(Str(1024)),
  relation_type: Opt(Lit('SUPPLIER', 'DISTRIBUTOR', 'SERVICE_PROVIDER', 'PLATFORM', 'OTHERS')),
})
export type EcommerceReceiverBody = Static<typeof EcommerceReceiverBody>

/** POST /v3/profitsharing/orders. */
export const OrdinarySplitBody = Type.Object({
  sub_mchid: Str(32),
  appid: Opt(Str(32)),
  sub_appid: Opt(Str(32)),
  transaction_id: Str(32),
  out_order_no: OutNo(),
  receivers: Type.Array(
    Type.Object({
      type: Lit('MERCHANT_ID', 'PERSONAL_OPENID', 'PERSONAL_SUB_OPENID'),
      account: Str(64),
      name: Opt(Str(1024)),
      amount: Type.Integer({ minimum: 1 }),
      description: Str(80),
    }),
    { minItems: 1, maxItems: 50 },
  ),
  unfreeze_unsplit: Type.Boolean(),
})
export type OrdinarySplitBody = Static<typeof OrdinarySplitBody>

/** POST /v3/profitsharing/orders/unfreeze. */
export const UnfreezeBody = EcommerceFinishBody
export type UnfreezeBody = EcommerceFinishBody

/** POST /v3/profitsharing/receivers/add (delete takes sub_mchid, appid, sub_appid, type, account). */
export const OrdinaryReceiverBody = Type.Object({
  sub_mchid: Str(32),
  appid: Str(32),
  sub_appid: Opt(Str(32)),
  type: Lit('MERCHANT_ID', 'PERSONAL_OPENID', 'PERSONAL_SUB_OPENID'),
  account: Str(64),
  name: Opt(Str(1024)),
  relation_type: Opt(Lit('SERVICE_PROVIDER', 'STORE', 'STAFF', 'STORE_OWNER', 'PARTNER', 'HEADQUARTER', 'BRAND', 'DISTRIBUTOR', 'USER', 'SUPPLIER', 'CUSTOM')),
  custom_relation: Opt(Str(10)),
})
export type OrdinaryReceiverBody = Static<typeof OrdinaryReceiverBody>

/** POST /v3/ecommerce/refunds/apply (§5). */
export const EcommerceRefundBody = Type.Object({
  sub_mchid: Str(32),
  sp_appid: Str(32),
  sub_appid: Opt(Str(32)),
  transaction_id: Opt(Str(32)),
  out_trade_no: Opt(Str(32, 6, { pattern: OUT_TRADE_NO_PATTERN.source })),
  out_refund_no: Str(64, 1, { pattern: OUT_REFUND_NO_PATTERN.source }),
  reason: Opt(Str(80)),
  amount: Type.Object({
    refund: Type.Integer({ minimum: 1 }),
    total: Type.Integer({ minimum: 1 }),
    currency: Str(16),
    from: Opt(Type.Array(Type.Object({ account: Lit('AVAILABLE', 'UNAVAILABLE'), amount: Type.Integer({ minimum: 1 }) }))),
  }),
  notify_url: Opt(Str(256)),
  refund_account: Opt(Lit('REFUND_SOURCE_SUB_MERCHANT', 'REFUND_SOURCE_PARTNER_ADVANCE')),
  funds_account: Opt(Lit('AVAILABLE', 'UNAVAILABLE')),
})
export type EcommerceRefundBody = Static<typeof EcommerceRefundBody>
