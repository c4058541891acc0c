import { WechatPayClient, type ParsedNotification, type RequestPaymentParams, type HeaderSource, type Refund, type RefundNotice, type Transaction, type PartnerTransaction } from '../../wechatpay'
import type { Config } from '../config'
import { applyEcommerceRefund, queryEcommerceRefund } from './splits/ecommerce-refunds'

export interface AttemptOrder {
  outTradeNo: string
  description: string
  amount: number
  openid: string
  timeExpire: string
  /** Placed with settle_info.profit_sharing (partner / ecommerce): the money stays frozen until split. */
  profitSharing?: boolean
}

/** What the backend needs from WeChat Pay, in either mode; direct vs partner is decided here only. */
export interface PaymentGateway {
  createOrder(o: AttemptOrder): Promise<{ prepayId: string }>
  query(outTradeNo: string): Promise<Transaction | PartnerTransaction>
  close(outTradeNo: string): Promise<void>
  refund(r: { outRefundNo: string; outTradeNo: string; amount: number; total: number; reason: string }): Promise<Refund>
  queryRefund(outRefundNo: string, outTradeNo?: string): Promise<Refund>
  /** Fresh requestPayment parameters, signed for the appid the mini-program runs as. */
  payment(prepayId: string): RequestPaymentParams
  parseNotification(headers: HeaderSource, raw: Buffer): Promise<ParsedNotification>
  /** Closes the keep-alive connections to WeChat Pay (app shutdown). */
  shutdown(): void
  /** Why a transaction does not belong to this merchant / app, or null when it does (reads storage, never the network). */
  ownershipProblem(t: Transaction | PartnerTransaction): Promise<string | null>
  /** Why a refund notification does not belong to this merchant (mchid, or sp_mchid + sub_mchid), or null. */
  refundOwnershipProblem(n: RefundNotice): Promise<string | null>
}

/** Which sub-merchant an out_trade_no is paid to (partner / ecommerce); undefined = the default shop. */
export interface PaymentRoute {
  subMchid?: string | null
  subAppId?: string | null
}

export interface GatewayOptions {
  /** The client to use (shared with onboarding); built from the config when absent. */
  client?: WechatPayClient
  /** Looks up the sub-merchant of an out_trade_no (stored on its order). */
  routeOf?: (outTradeNo: string) => Promise<PaymentRoute | undefined>
  clock?: () => number
  nonce?: () => string
  fetch?: typeof fetch
  timeoutMs?: number
  sleep?: (ms: number) => Promise<void>
  /** A background certificate refresh failed (the cached certificates stay in use). */
  onCertificateRefreshError?: (e: unknown) => void
}

/** The protocol library's client for this configuration. */
export function createWechatPayClient(config: Config, options: GatewayOptions = {}): WechatPayClient {
  return new WechatPayClient({
    mchid: config.mchid,
    serialNo: config.serialNo,
    privateKey: config.privateKey,
    apiV3Key: config.apiV3Key,
    platform: config.platform,
    baseUrl: config.wechatPayBaseUrl,
    backupBaseUrl: config.wechatPayBackupBaseUrl,
    onCertificateRefreshError: options.onCertificateRefreshError,
    clock: options.clock,
    nonce: options.nonce,
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
    sleep: options.sleep,
  })
}

/** Builds the gateway over the protocol library's WechatPayClient; partner and ecommerce orders go to their shop's sub_mchid. */
export function createWechatPayGateway(config: Config, options: GatewayOptions = {}): PaymentGateway {
  const client = options.client ?? createWechatPayClient(config, options)
  const partner = config.mode !== 'direct'
  // E-commerce refunds have their own endpoints (they also draw on money frozen for profit sharing).
  const ecommerce = config.mode === 'ecommerce'
  const routeOf = async (outTradeNo: string) => options.routeOf?.(outTradeNo)
  const subOf = async (outTradeNo: string) => (await routeOf(outTradeNo))?.subMchid ?? (config.subMchid as string)
  // sub_appid only in the scenarios where the shop's mini-program orders (WECHATPAY_SUB_APPID set).
  const subAppOf = async (outTradeNo: string) => (config.subAppId ? (await routeOf(outTradeNo))?.subAppId ?? config.subAppId : undefined)
  return {
    async createOrder(o) {
      const common = {
        description: o.description,
        out_trade_no: o.outTradeNo,
        time_expire: o.timeExpire,
        notify_url: config.notifyUrl,
        amount: { total: o.amount, currency: 'CNY' as const },
      }
      const subAppId = await subAppOf(o.outTradeNo)
      const res = partner
        ? await client.createPartnerJsapiOrder({
            sp_appid: config.appId,
            sp_mchid: config.mchid,
            ...(subAppId ? { sub_appid: subAppId } : {}),
            sub_mchid: await subOf(o.outTradeNo),
            ...common,
            payer: subAppId ? { sub_openid: o.openid } : { sp_openid: o.openid },
            ...(o.profitSharing ? { settle_info: { profit_sharing: true } } : {}),
          })
        : await client.createJsapiOrder({ appid: config.appId, mchid: config.mchid, ...common, payer: { openid: o.openid } })
      return { prepayId: res.prepay_id }
    },
    query: async (outTradeNo) => (partner ? client.queryOrderByOutTradeNo(outTradeNo, await subOf(outTradeNo)) : client.queryOrderByOutTradeNo(outTradeNo)),
    close: async (outTradeNo) => client.closeOrder(outTradeNo, partner ? await subOf(outTradeNo) : undefined),
    refund: async (r) =>
      ecommerce
        ? applyEcommerceRefund(client, { spAppId: config.appId, subMchid: await subOf(r.outTradeNo), subAppId: await subAppOf(r.outTradeNo), outTradeNo: r.outTradeNo, outRefundNo: r.outRefundNo, amount: r.amount, total: r.total, reason: r.reason, notifyUrl: config.notifyUrl })
        : client.createRefund({
        ...(partner ? { sub_mchid: await subOf(r.outTradeNo) } : {}),
        out_trade_no: r.outTradeNo,
        out_refund_no: r.outRefundNo,
        reason: r.reason || undefined,
        notify_url: config.notifyUrl,
        amount: { refund: r.amount, total: r.total, currency: 'CNY' },
      }),
    queryRefund: async (outRefundNo, outTradeNo) =>
      ecommerce
        ? queryEcommerceRefund(client, outRefundNo, outTradeNo ? await subOf(outTradeNo) : (config.subMchid as string))
        : client.queryRefund(outRefundNo, partner ? (outTradeNo ? await subOf(outTradeNo) : (config.subMchid as string)) : undefined),
    payment: (prepayId) => client.requestPayment(config.miniProgramAppId, prepayId),
    parseNotification: (headers, raw) => client.parseNotification(headers, raw),
    shutdown: () => client.close(),
    async ownershipProblem(t) {
      if (partner) {
        const p = t as PartnerTransaction
        const sub = await subOf(p.out_trade_no)
        const subAppId = await subAppOf(p.out_trade_no)
        if (p.sp_mchid !== config.mchid) return `sp_mchid ${p.sp_mchid} is not ${config.mchid}`
        if (p.sub_mchid !== sub) return `sub_mchid ${p.sub_mchid} is not ${sub}`
        if (p.sp_appid !== config.appId) return `sp_appid ${p.sp_appid} is not ${config.appId}`
        if (subAppId && p.sub_appid !== subAppId) return `sub_appid ${p.sub_appid} is not ${subAppId}`
        return null
      }
      const d = t as Transaction
      if (d.mchid !== config.mchid) return `mchid ${d.mchid} is not ${config.mchid}`
      if (d.appid !== config.appId) return `appid ${d.appid} is not ${config.appId}`
      return null
    },
    async refundOwnershipProblem(n) {
      if (partner) {
        // Partner notices name the service provider sp_mchid; accept mchid too (wechatpay-service-provider.md §7: field list UNCONFIRMED).
        const sp = n.sp_mchid ?? n.mchid
        if (sp !== config.mchid) return `sp_mchid ${sp} is not ${config.mchid}`
        const sub = await subOf(n.out_trade_no)
        if (n.sub_mchid !== sub) return `sub_mchid ${n.sub_mchid} is not ${sub}`
        return null
      }
      return n.mchid === config.mchid ? null : `mchid ${n.mchid} is not ${config.mchid}`
    },
  }
}
