/**
 * The protocol library's WechatPayClient drives a whole order life cycle against the emulator —
 * order → pay → signed, encrypted notification → query → refund → refund notification — in both
 * platform modes (issue 5).
 */
import { registerMerchant, startEmulator, type EmulatorHandle, type TestMerchant } from '../support/emulator'
import { clientFor, directOrder, eventually, notifyEndpoint } from './helpers'

describe.each(['publicKey', 'certificate'] as const)('whole life cycle in %s mode', (platformMode) => {
  let emu: EmulatorHandle
  let m: TestMerchant
  let notify: Awaited<ReturnType<typeof notifyEndpoint>>

  beforeAll(async () => {
    emu = await startEmulator({ platformMode, retryScale: 0.001, refundSettleMs: 50 })
    m = await registerMerchant(emu)
    notify = await notifyEndpoint([204])
  })
  afterAll(async () => {
    await emu.close()
    await notify.close()
  })

  test('order → pay → notification → query → refund → refund notification', async () => {
    expect(m.platform.mode).toBe(platformMode)
    if (platformMode === 'publicKey') expect(m.platform.serialNo).toMatch(/^PUB_KEY_ID_\d{34}$/)
    else expect(m.platform.certificatePem).toContain('BEGIN CERTIFICATE')

    const client = clientFor(emu, m)
    const openid = 'o-lifecycle-user'
    await emu.login(m.appId, openid)
    const order = directOrder(m, openid, notify.url, { attach: 'cart=42' })
    const { prepay_id } = await client.createJsapiOrder(order)
    expect(prepay_id).toMatch(/^wx\d{14}[0-9a-f]{20}$/)

    const before = await client.queryOrderByOutTradeNo(order.out_trade_no)
    expect(before.trade_state).toBe('NOTPAY')
    expect(before.transaction_id).toBeUndefined()

    expect(await emu.pay(client.requestPayment(m.appId, prepay_id), { appId: m.appId, openid })).toBe('requestPayment:ok')

    const [received] = await notify.waitFor(1)
    const parsed = await client.parseNotification(received.headers as Record<string, string>, received.body)
    expect(parsed.ok).toBe(true)
    if (!parsed.ok || parsed.event.kind !== 'transaction') throw new Error('expected a transaction event')
    expect(parsed.event.eventType).toBe('TRANSACTION.SUCCESS')
    expect(parsed.event.serial).toBe(m.platform.serialNo)
    const tx = parsed.event.transaction
    expect(tx).toMatchObject({ out_trade_no: order.out_trade_no, trade_state: 'SUCCESS', amount: { total: 100, payer_total: 100 }, attach: 'cart=42' })
    expect(JSON.parse(received.body)).toMatchObject({ event_type: 'TRANSACTION.SUCCESS', resource_type: 'encrypt-resource', summary: '支付成功', resource: { algorithm: 'AEAD_AES_256_GCM', original_type: 'transaction' } })

    const paid = await client.queryOrderByOutTradeNo(order.out_trade_no)
    expect(paid.trade_state).toBe('SUCCESS')
    expect(paid.transaction_id).toBe(tx.transaction_id)
    const byId = await client.queryOrderByTransactionId(tx.transaction_id as string)
    expect(byId.out_trade_no).toBe(order.out_trade_no)

    const refund = await client.createRefund({ out_trade_no: order.out_trade_no, out_refund_no: `R${order.out_trade_no}`, amount: { refund: 40, total: 100, currency: 'CNY' }, notify_url: notify.url })
    expect(refund).toMatchObject({ status: 'PROCESSING', amount: { refund: 40, total: 100 } })

    const [, refundReceived] = await notify.waitFor(2)
    const refundParsed = await client.parseNotification(refundReceived.headers as Record<string, string>, refundReceived.body)
    if (!refundParsed.ok || refundParsed.event.kind !== 'refund') throw new Error(`expected a refund event, got ${JSON.stringify(refundParsed)}`)
    expect(refundParsed.event.eventType).toBe('REFUND.SUCCESS')
    expect(refundParsed.event.refund).toMatchObject({ out_refund_no: refund.out_refund_no, refund_status: 'SUCCESS', amount: { refund: 40, total: 100 } })

    const queried = await eventually(async () => {
      const r = await client.queryRefund(refund.out_refund_no)
      return r.status === 'SUCCESS' ? r : undefined
    })
    expect(queried.success_time).toMatch(/\+08:00$/)
    expect((await client.queryOrderByOutTradeNo(order.out_trade_no)).trade_state).toBe('REFUND')

    // Both deliveries were recorded with the exact headers and raw body the endpoint received.
    const deliveries = await eventually(async () => {
      const d = await emu.deliveries()
      return d.filter((x) => x.delivered).length === 2 ? d : undefined
    })
    expect(deliveries.map((d) => [d.eventType, d.status, d.attempt])).toEqual([
      ['TRANSACTION.SUCCESS', 204, 1],
      ['REFUND.SUCCESS', 204, 1],
    ])
    expect(deliveries[0].request.body).toBe(received.body)
    expect(deliveries[0].request.headers['Wechatpay-Signature']).toBe(received.headers['wechatpay-signature'])
  })
})
