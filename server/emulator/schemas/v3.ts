/**
 * Request bodies of the WeChat Pay v3 endpoints the emulator serves, as TypeBox schemas: one source
 * for the validator and the type (field limits from wechatpay-v3.md §4, §5, §7).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { OUT_REFUND_NO_PATTERN, OUT_TRADE_NO_PATTERN } from '../../wechatpay'

const Str = (maxLength: number, minLength = 1, extra: Record<string, unknown> = {}) => Type.String({ minLength, maxLength, ...extra })
const Opt = <T extends TSchema>(t: T) => Type.Optional(t)

const OUT_TRADE_NO = OUT_TRADE_NO_PATTERN.source
const OUT_REFUND_NO = OUT_REFUND_NO_PATTERN.source

const GoodsDetail = Type.Object({
  merchant_goods_id: Str(32),
  wechatpay_goods_id: Opt(Str(32)),
  goods_name: Opt(Str(256)),
  quantity: Type.Integer({ minimum: 1 }),
  unit_price: Type.Integer({ minimum: 0 }),
})

const OrderCommon = {
  description: Str(127),
  out_trade_no: Str(32, 6, { pattern: OUT_TRADE_NO }),
  time_expire: Opt(Str(64)),
  attach: Opt(Str(128)),
  notify_url: Str(255),
  goods_tag: Opt(Str(32)),
  support_fapiao: Opt(Type.Boolean()),
  amount: Type.Object({ total: Type.Integer({ minimum: 1 }), currency: Opt(Str(16)) }),
  detail: Opt(Type.Object({ cost_price: Opt(Type.Integer({ minimum: 0 })), invoice_id: Opt(Str(32)), goods_detail: Opt(Type.Array(GoodsDetail)) })),
  scene_info: Opt(
    Type.Object({
      payer_client_ip: Str(45),
      device_id: Opt(Str(32)),
      store_info: Opt(Type.Object({ id: Str(32), name: Opt(Str(256)), area_code: Opt(Str(32)), address: Opt(Str(512)) })),
    }),
  ),
  settle_info: Opt(Type.Object({ profit_sharing: Opt(Type.Boolean()) })),
}

/** POST /v3/pay/transactions/jsapi. */
export const DirectOrderBody = Type.Object({
  appid: Str(32),
  mchid: Str(32),
  ...OrderCommon,
  payer: Type.Object({ openid: Str(128) }),
})
export type DirectOrderBody = Static<typeof DirectOrderBody>

/** POST /v3/pay/partner/transactions/jsapi. */
export const PartnerOrderBody = Type.Object({
  sp_appid: Str(32),
  sp_mchid: Str(32),
  sub_appid: Opt(Str(32)),
  sub_mchid: Str(32),
  ...OrderCommon,
  payer: Type.Object({ sp_openid: Opt(Str(128)), sub_openid: Opt(Str(128)) }),
})
export type PartnerOrderBody = Static<typeof PartnerOrderBody>

/** POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close. */
export const DirectCloseBody = Type.Object({ mchid: Str(32) })
export type DirectCloseBody = Static<typeof DirectCloseBody>

/** POST /v3/pay/partner/transactions/out-trade-no/{out_trade_no}/close. */
export const PartnerCloseBody = Type.Object({ sp_mchid: Str(32), sub_mchid: Str(32) })
export type PartnerCloseBody = Static<typeof PartnerCloseBody>

/** POST /v3/refund/domestic/refunds. */
export const RefundBody = Type.Object({
  sub_mchid: Opt(Str(32)),
  transaction_id: Opt(Str(32)),
  out_trade_no: Opt(Str(32, 6, { pattern: OUT_TRADE_NO })),
  out_refund_no: Str(64, 1, { pattern: OUT_REFUND_NO }),
  reason: Opt(Str(80)),
  notify_url: Opt(Str(256)),
  funds_account: Opt(Type.Literal('AVAILABLE')),
  amount: Type.Object({
    refund: Type.Integer({ minimum: 1 }),
    total: Type.Integer({ minimum: 1 }),
    currency: Str(16),
    from: Opt(Type.Array(Type.Object({ account: Type.Union([Type.Literal('AVAILABLE'), Type.Literal('UNAVAILABLE')]), amount: Type.Integer({ minimum: 1 }) }))),
  }),
  goods_detail: Opt(
    Type.Array(
      Type.Object({
        merchant_goods_id: Str(32),
        wechatpay_goods_id: Opt(Str(32)),
        goods_name: Opt(Str(256)),
        unit_price: Type.Integer({ minimum: 0 }),
        refund_amount: Type.Integer({ minimum: 0 }),
        refund_quantity: Type.Integer({ minimum: 1 }),
      }),
    ),
  ),
})
export type RefundBody = Static<typeof RefundBody>

/** The `meta` part of POST /v3/merchant/media/upload. */
export const MediaMeta = Type.Object({ filename: Str(128), sha256: Str(64, 64, { pattern: '^[0-9a-fA-F]{64}$' }) })
export type MediaMeta = Static<typeof MediaMeta>
