/**
 * An in-memory PaymentGateway for route tests through app.inject: no keys, no emulator, no HTTP.
 * It keeps WeChat Pay's side of each out_trade_no and out_refund_no, records every call, and can
 * be told to fail the next call of a method.
 */
import { WechatPayError, type ParsedNotification, type Refund, type Transaction, type TradeState } from '../../server/wechatpay'
import type { PaymentGateway } from '../../server/merchant/services/wechatpay-gateway'

export const FAKE_MCHID = '1900000109'
export const FAKE_APPID = 'wxfake0000000001'

type Method = 'createOrder' | 'query' | 'close' | 'refund' | 'queryRefund'

export interface FakeGateway extends PaymentGateway {
  /** WeChat Pay's view of each attempt. */
  trades: Map<string, { amount: number; state: TradeState; transactionId?: string }>
  refunds: Map<string, Refund>
  calls: Array<{ method: Method; id: string }>
  /** The next call of `method` throws `error` (queue: one entry per call). */
  failNext(method: Method, error: Error): void
  /** Marks an attempt paid at "WeChat Pay" and returns the transaction a query would answer. */
  pay(outTradeNo: string): Transaction
  /** What parseNotification answers next (default: a rejected signature). */
  nextNotification: ParsedNotification
}

/** A WeChat Pay error as the client raises it. */
export const wechatPayError = (status: number, code: string) => new WechatPayError({ status, code, message: `${code} (fake)` })

/** Creates the fake with nothing paid. */
export function createFakeGateway(): FakeGateway {
  const trades: FakeGateway['trades'] = new Map()
  const refunds = new Map<string, Refund>()
  const calls: FakeGateway['calls'] = []
  const failures = new Map<Method, Error[]>()
  let txSeq = 0
  const enter = (method: Method, id: string) => {
    calls.push({ method, id })
    const queued = failures.get(method)?.shift()
    if (queued) throw queued
  }
  const transaction = (outTradeNo: string): Transaction => {
    const t = trades.get(outTradeNo)
    if (!t) throw wechatPayError(404, 'ORDER_NOT_EXIST')
    return {
      appid: FAKE_APPID,
      mchid: FAKE_MCHID,
      out_trade_no: outTradeNo,
      trade_state: t.state,
      trade_state_desc: t.state,
      ...(t.transactionId ? { transaction_id: t.transactionId, success_time: '2026-01-01T08:00:00+08:00' } : {}),
      amount: { total: t.amount, payer_total: t.amount, currency: 'CNY', payer_currency: 'CNY' },
    }
  }

  const fake: FakeGateway = {
    trades,
    refunds,
    calls,
    nextNotification: { ok: false, reason: 'BAD_SIGNATURE' },
    failNext(method, error) {
      failures.set(method, [...(failures.get(method) ?? []), error])
    },
    pay(outTradeNo) {
      const t = trades.get(outTradeNo)
      if (!t) throw new Error(`fake gateway: no trade ${outTradeNo}`)
      Object.assign(t, { state: 'SUCCESS', transactionId: `42000${String(++txSeq).padStart(23, '0')}` })
      return transaction(outTradeNo)
    },
    async createOrder(o) {
      enter('createOrder', o.outTradeNo)
      if (!trades.has(o.outTradeNo)) trades.set(o.outTradeNo, { amount: o.amount, state: 'NOTPAY' })
      return { prepayId: `wx_fake_${o.outTradeNo}` }
    },
    async query(outTradeNo) {
      enter('query', outTradeNo)
      return transaction(outTradeNo)
    },
    async close(outTradeNo) {
      enter('close', outTradeNo)
      const t = trades.get(outTradeNo)
      if (t?.state === 'SUCCESS') throw wechatPayError(400, 'ORDERPAID')
      if (t) t.state = 'CLOSED'
    },
    async refund(r) {
      enter('refund', r.outRefundNo)
      const known = refunds.get(r.outRefundNo)
      if (known) return known // same out_refund_no = the same refund
      const refund: Refund = {
        refund_id: `50000${refunds.size + 1}`,
        out_refund_no: r.outRefundNo,
        transaction_id: trades.get(r.outTradeNo)?.transactionId ?? '',
        out_trade_no: r.outTradeNo,
        channel: 'ORIGINAL',
        user_received_account: '支付用户零钱',
        create_time: '2026-01-01T08:00:00+08:00',
        status: 'PROCESSING',
        amount: { total: r.total, refund: r.amount, payer_total: r.total, payer_refund: r.amount, currency: 'CNY' },
      }
      refunds.set(r.outRefundNo, refund)
      return refund
    },
    async queryRefund(outRefundNo) {
      enter('queryRefund', outRefundNo)
      const known = refunds.get(outRefundNo)
      if (!known) throw wechatPayError(404, 'RESOURCE_NOT_EXISTS')
      return known
    },
    payment: (prepayId) => ({ timeStamp: '1767225600', nonceStr: 'fakenonce', package: `prepay_id=${prepayId}`, signType: 'RSA', paySign: 'fake-signature' }),
    parseNotification: async () => fake.nextNotification,
    ownershipProblem: async () => null,
    shutdown: () => undefined,
    refundOwnershipProblem: async (n) => (n.mchid === FAKE_MCHID ? null : `mchid ${n.mchid} is not ${FAKE_MCHID}`),
  }
  return fake
}
