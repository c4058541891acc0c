/**
 * The emulator dashboard (GET /__emulator/) in headless Chromium, against a real emulator and a
 * real merchant backend: a backend-made order is listed, its pay button pays it (the backend learns
 * it from the signed notification), a notification is redelivered from its button, the clock
 * advances, and the onboarding buttons send what platform.md says. Screenshots: test/e2e/artifacts/.
 */
import { randomUUID } from 'node:crypto'
import type { Page } from 'playwright-core'
import { registerMerchant } from '../support/emulator'
import { applymentBody, query, submit } from '../emulator/applyment-fixtures'
import { clientFor } from '../emulator/helpers'
import { e2eStack, shot as shotOf } from './support/stack'

jest.setTimeout(60_000)

const stack = e2eStack()
let page: Page
let token: string

beforeAll(async () => {
  token = await stack.backend.loginToken()
  page = await (await stack.browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage()
  page.on('pageerror', (e) => { throw e })
})

/** An order made by the backend (POST /api/orders), as the mini-program would. */
async function backendOrder(amount: number, description: string): Promise<string> {
  const res = await fetch(`${stack.backend.url}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ amount, description, requestId: randomUUID() }),
  })
  expect(res.status).toBe(201)
  return ((await res.json()) as { order: { orderNo: string } }).order.orderNo
}

async function backendStatus(orderNo: string): Promise<string> {
  const res = await fetch(`${stack.backend.url}/api/orders/${orderNo}`, { headers: { authorization: `Bearer ${token}` } })
  return ((await res.json()) as { order: { status: string } }).order.status
}

/** Waits until the locator matches exactly n elements (the page refreshes every 2 s). */
async function waitCount(locator: ReturnType<Page['locator']>, n: number) {
  const deadline = Date.now() + 10_000
  while ((await locator.count()) !== n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} of ${locator}, found ${await locator.count()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const shot = (name: string) => shotOf(page, name)
const orderRow = (orderNo: string) => page.locator(`tr.order[data-order-no="${orderNo}"]`)

test('lists a backend-made order with its amount, state and attempt, and the merchant with its key ids', async () => {
  const orderNo = await backendOrder(1234, '仪表盘测试 拿铁')
  await page.goto(`${stack.emulator.url}/__emulator/`)
  const row = orderRow(orderNo)
  await row.waitFor()
  await expect(row.locator('td').nth(1).textContent()).resolves.toBe('¥12.34')
  await expect(row.locator(`.attempt[data-out-trade-no="${orderNo}_1"] .badge`).textContent()).resolves.toBe('NOTPAY')
  await expect(row.textContent()).resolves.toContain('仪表盘测试 拿铁')
  const merchants = page.locator('#merchants tr.merchant')
  await expect(merchants.textContent()).resolves.toContain(stack.merchant.serialNo)
  await expect(merchants.textContent()).resolves.toContain(stack.merchant.platform.serialNo)
  // Onboarding: the list when the emulator has the route, else "none".
  const applyments = await fetch(`${stack.emulator.url}/__emulator/applyments`)
  await page.locator('#applyments p, #applyments table').first().waitFor()
  if (applyments.status === 404) await expect(page.locator('#applyments').textContent()).resolves.toBe('none (this emulator has no onboarding routes)')
  await shot('dashboard-1-unpaid-order')
})

test('the pay button pays an unpaid order as the phone would; the backend hears it from the notification', async () => {
  const orderNo = await backendOrder(880, '仪表盘 付款按钮')
  const row = orderRow(orderNo)
  await row.waitFor() // polling picks it up without a reload
  await row.locator('button.pay').click()
  await row.locator(`.attempt[data-out-trade-no="${orderNo}_1"] .badge`, { hasText: 'SUCCESS' }).waitFor()
  await expect(page.locator('#flash').textContent()).resolves.toMatch(new RegExp(`^paid ${orderNo}_1: transaction 42\\d+$`))
  await waitCount(row.locator('button.pay'), 0)
  const note = page.locator('.notification', { hasText: `${orderNo}_1` })
  await note.locator('.tag.ok', { hasText: 'delivered' }).waitFor()
  await expect(note.locator('tr.delivery').first().textContent()).resolves.toMatch(/#1 attempt\s*204/)
  expect(await backendStatus(orderNo)).toBe('paid')
  await shot('dashboard-2-paid')
})

test('the redeliver button sends the notification again: a new delivery appears, and the backend answers it', async () => {
  const orderNo = await backendOrder(100, '仪表盘 重发通知')
  await orderRow(orderNo).locator('button.pay').click()
  const note = page.locator('.notification', { hasText: `${orderNo}_1` })
  await note.locator('.tag.ok').waitFor()
  await waitCount(note.locator('tr.delivery'), 1)
  await note.getByRole('button', { name: 'Redeliver' }).click()
  await note.locator('tr.delivery.k-redelivery').waitFor()
  await waitCount(note.locator('tr.delivery'), 2)
  await expect(note.locator('tr.delivery.k-redelivery').textContent()).resolves.toMatch(/redelivery\s*204/)
  const mine = (await stack.emulator.deliveries()).filter((d) => d.outTradeNo === `${orderNo}_1`)
  expect(mine.map((d) => [d.kind, d.status])).toEqual([['attempt', 204], ['redelivery', 204]])
  expect(await backendStatus(orderNo)).toBe('paid') // a duplicate changes nothing
  await shot('dashboard-3-redelivered')
})

test('a refund made through the backend shows under its attempt, with its REFUND.SUCCESS notification', async () => {
  const orderNo = await backendOrder(2000, '仪表盘 退款')
  await orderRow(orderNo).locator('button.pay').click()
  await page.locator('.notification', { hasText: `${orderNo}_1` }).locator('.tag.ok').waitFor()
  const res = await fetch(`${stack.backend.url}/api/admin/orders/${orderNo}/refunds`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-admin-token': stack.backend.config.adminToken },
    body: JSON.stringify({ amount: 500, reason: '仪表盘测试', requestId: randomUUID() }),
  })
  expect(res.status).toBe(201)
  const refundLine = orderRow(orderNo).locator('li', { hasText: 'refund' })
  await refundLine.locator('.badge', { hasText: 'SUCCESS' }).waitFor()
  await expect(refundLine.textContent()).resolves.toContain('¥5.00')
  await page.locator('.notification', { hasText: 'REFUND.SUCCESS' }).locator('.tag.ok').waitFor()
  await shot('dashboard-refund')
})

test('the onboarding buttons send approve, ask-for-signing and reject-with-reason (a stand-in list; the routes are the onboarding work\'s)', async () => {
  const list = { applyments: [{ applymentId: '2000002000000042', outRequestNo: 'APPLY_42', mchid: stack.merchant.mchid, state: 'AUDITING', request: { merchant_shortname: '街角咖啡' }, decrypted: {} }] }
  const sent: unknown[] = []
  await page.route('**/__emulator/applyments', (route) => route.fulfill({ json: list }))
  await page.route('**/__emulator/applyments/*/advance', async (route) => {
    const body = route.request().postDataJSON() as { to: string }
    sent.push(body)
    await route.fulfill({ json: { applyment: { ...list.applyments[0], state: body.to } } })
  })
  try {
    const row = page.locator('tr.applyment[data-applyment-id="2000002000000042"]')
    await row.waitFor()
    await expect(row.textContent()).resolves.toContain('街角咖啡')
    await shot('dashboard-4-applyment')
    await row.getByRole('button', { name: 'Approve' }).click()
    await page.locator('#flash', { hasText: 'applyment 2000002000000042: FINISH' }).waitFor()
    await row.getByRole('button', { name: 'Ask for signing' }).click()
    await page.locator('#flash', { hasText: 'NEED_SIGN' }).waitFor()
    await row.locator('input.reason').fill('营业执照照片模糊')
    await row.getByRole('button', { name: 'Reject' }).click()
    await page.locator('#flash', { hasText: 'REJECTED' }).waitFor()
    expect(sent).toEqual([{ to: 'AUDITING' }, { to: 'NEED_SIGN' }, { to: 'FINISH' }, { to: 'AUDITING' }, { to: 'NEED_SIGN' }, { to: 'REJECTED', auditDetail: [{ param_name: 'id_card_copy', reject_reason: '营业执照照片模糊' }] }])
  } finally {
    await page.unrouteAll()
  }
})

test('a real applyment: listed with its short name, rejected with a reason, then (resubmitted) approved to FINISH with a sub_mchid', async () => {
  const sp = await registerMerchant(stack.emulator, { mode: 'partner' })
  const client = clientFor(stack.emulator, sp)
  const first = await applymentBody(client, '2401')
  const { applyment_id: id } = await submit(client, first.body, first.serial)
  const row = page.locator(`tr.applyment[data-applyment-id="${id}"]`)
  await row.waitFor()
  await row.locator('input.reason').fill('身份证照片模糊')
  await row.getByRole('button', { name: 'Reject' }).click()
  await page.locator('#flash', { hasText: `applyment ${id}: REJECTED` }).waitFor()
  expect((await query(client, { id })).audit_detail).toEqual([{ param_name: 'id_card_copy', reject_reason: '身份证照片模糊' }])
  // Resubmitted with the same out_request_no (WeChat Pay overwrites), then approved from the dashboard.
  const again = await applymentBody(client, '2401', { outRequestNo: first.body.out_request_no })
  await submit(client, again.body, again.serial)
  await row.getByRole('button', { name: 'Approve' }).waitFor()
  await row.getByRole('button', { name: 'Approve' }).click()
  await page.locator('#flash', { hasText: `applyment ${id}: FINISH` }).waitFor()
  await shot('dashboard-5-applyment-approved')
  const done = await query(client, { id })
  expect(done).toMatchObject({ applyment_state: 'FINISH', sub_mchid: expect.stringMatching(/^\d+$/) })
})

test('the clock buttons advance the emulated clock', async () => {
  await page.getByRole('button', { name: '+1 h' }).click()
  await page.locator('#clock-offset', { hasText: /\+36\d\d s ahead/ }).waitFor()
  const clock = (await (await fetch(`${stack.emulator.url}/__emulator/clock`)).json()) as { offsetMs: number }
  expect(clock.offsetMs).toBe(3_600_000)
})
