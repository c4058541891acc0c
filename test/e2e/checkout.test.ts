/**
 * The whole flow in a real browser: the H5 production build of the mini-program, pointed at a
 * merchant backend and a WeChat Pay emulator started here, driven in headless Chromium.
 * mini-program → backend → emulator (order, paySign check) → signed notification → backend →
 * the mini-program shows 支付成功. Screenshots of each page go to test/e2e/artifacts/.
 */
import type { Page } from 'playwright-core'
import { waitFor } from '../support/wait-for'
import { e2eStack, openPhone, PHONE, shot } from './support/stack'

jest.setTimeout(240_000)

const stack = e2eStack({ h5: true })

/** A fresh phone on the checkout page, its form rendered. */
async function openCheckout(): Promise<Page> {
  const page = await openPhone(stack, 'pages/checkout/index')
  await page.locator('#amount-input input').waitFor()
  return page
}

async function fillCheckout(page: Page, amount: string, description: string) {
  await page.locator('#amount-input input').fill(amount)
  await page.locator('#description-input input').fill(description)
  await page.locator('#description-input input').blur()
}

/** Waits until the element has slid into the viewport (H5 page transitions animate from the right). */
async function settledInView(locator: ReturnType<Page['locator']>) {
  const deadline = Date.now() + 10_000
  for (;;) {
    const box = await locator.first().boundingBox()
    if (box && box.x >= 0 && box.x + box.width <= PHONE.width + 1) return
    if (Date.now() > deadline) throw new Error(`element never settled in the viewport: ${JSON.stringify(box)}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const resultTitle = (page: Page) => page.locator('#result-title:visible')

test('a customer pays ¥12.30 in the pay sheet, sees 支付成功 and the paid order in 我的订单', async () => {
  const page = await openCheckout()
  await shot(page, '01-checkout-empty')

  // Bad input first: a message under the field and a disabled pay button.
  await page.locator('#amount-input input').fill('0')
  await page.locator('#amount-input input').blur()
  await expect(page.locator('#amount-error').textContent()).resolves.toContain('金额')
  await expect(page.locator('#pay-button').getAttribute('disabled')).resolves.not.toBeNull()

  await fillCheckout(page, '12.30', '端到端测试 咖啡一杯')
  await shot(page, '02-checkout-filled')
  await page.locator('#pay-button').click()

  // The emulator-mode sheet stands in for WeChat's; confirming it hands the signed payment
  // object to the emulator, which checks the paySign as a phone would.
  const confirm = page.locator('#sheet-confirm:visible')
  await confirm.waitFor()
  await shot(page, '03-pay-sheet')
  await confirm.click()

  await expect(resultTitle(page)).toHaveTextEventually('支付成功')
  await expect(page.locator('#result-amount:visible').textContent()).resolves.toContain('12.30')
  const orderNo = (await page.locator('#result-order-no:visible').textContent())?.trim()
  expect(orderNo).toBeTruthy()
  await shot(page, '04-result-succeeded')

  // The emulator delivered a signed, encrypted TRANSACTION.SUCCESS that the backend accepted.
  // (The page may learn "paid" from the backend's query a moment before the 204 reaches WeChat Pay.)
  await waitFor(async () => (await stack.emulator.deliveries()).some((d) => d.eventType === 'TRANSACTION.SUCCESS' && d.status === 204), 'the notification answered 204')

  await page.locator('#orders-link:visible').click()
  const item = page.locator(`#order-${orderNo}:visible`)
  await item.waitFor()
  await expect(item.textContent()).resolves.toContain('已支付')
  await expect(item.textContent()).resolves.toContain('12.30')
  await settledInView(item)
  await shot(page, '05-orders')
  await page.context().close()
})

test('a customer cancels, then 继续支付 on the result page pays the same order', async () => {
  const page = await openCheckout()
  await fillCheckout(page, '8', '取消后继续支付')
  await page.locator('#pay-button').click()
  await page.locator('#sheet-cancel:visible').click()

  await expect(resultTitle(page)).toHaveTextEventually('已取消支付')
  const cancelledText = await page.locator('.result__order-no:visible').textContent()
  const orderNo = cancelledText?.replace('订单号', '').trim()
  expect(orderNo).toMatch(/\S+/)
  await shot(page, '06-result-cancelled')

  await page.locator('#retry-button:visible').click()
  await page.locator('#sheet-confirm:visible').click()
  await expect(resultTitle(page)).toHaveTextEventually('支付成功')
  await expect(page.locator('#result-order-no:visible').textContent()).resolves.toBe(orderNo)
  await shot(page, '07-result-retried-succeeded')

  // The same business order, now paid; no second order was created for the retry.
  await page.locator('#orders-link:visible').click()
  await page.locator(`#order-${orderNo}:visible`).waitFor()
  await expect(page.locator('.order-item:visible', { hasText: '取消后继续支付' }).count()).resolves.toBe(1)
  await expect(page.locator(`#order-${orderNo}:visible`).textContent()).resolves.toContain('已支付')
  await settledInView(page.locator(`#order-${orderNo}:visible`))
  await shot(page, '08-orders-after-retry')
  await page.context().close()
})

// A tiny polling matcher for text that changes as the flow progresses (no fixed sleeps).
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      toHaveTextEventually(expected: string): Promise<R>
    }
  }
}

expect.extend({
  async toHaveTextEventually(locator: ReturnType<Page['locator']>, expected: string) {
    const deadline = Date.now() + 30_000
    let last = ''
    while (Date.now() < deadline) {
      last = ((await locator.first().textContent({ timeout: 1_000 }).catch(() => '')) ?? '').trim()
      if (last.includes(expected)) return { pass: true, message: () => `text "${last}" contains "${expected}"` }
      await new Promise((r) => setTimeout(r, 100))
    }
    return { pass: false, message: () => `expected text to contain "${expected}" within 30 s, last saw "${last}"` }
  },
})
