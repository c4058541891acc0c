/**
 * The onboarding flow in a real browser: the H5 production build against a merchant backend in
 * e-commerce mode and the WeChat Pay emulator. Fill the form with generated PNGs, submit, move the
 * applyment through the emulator's control API, see 审核中, then 已完成 and the shop's QR code.
 */
import type { Page } from 'playwright-core'
import { advance, png } from '../merchant/onboarding-helpers'
import { e2eStack, openPhone, shot as shotAs } from './support/stack'

jest.setTimeout(240_000)

// The backend refreshes an application from WeChat Pay at most every 10 s: its clock is moved on with the emulator's.
let offsetMs = 0
const stack = e2eStack({ mode: 'ecommerce', clock: () => Date.now() + offsetMs, h5: true })
async function later(ms: number) {
  offsetMs += ms
  await stack.emulator.advanceClock(ms)
}

const shot = (page: Page, name: string) => shotAs(page, `onboarding-${name}`)
const field = (page: Page, path: string) => page.locator(`#f-${path.replace(/\./g, '-')} input`)
/** Types each value into the form field at its path. */
async function fill(page: Page, values: Record<string, string>) {
  for (const [path, value] of Object.entries(values)) await field(page, path).fill(value)
}
const visible = (page: Page, id: string) => page.locator(`#${id}:visible`)

async function next(page: Page, title: string) {
  await visible(page, 'next-button').click()
  await page.locator('#step-title:visible', { hasText: title }).waitFor()
}

async function photo(page: Page, path: string, seed: number) {
  const chooser = page.waitForEvent('filechooser')
  await visible(page, `img-${path.replace(/\./g, '-')}`).click()
  await (await chooser).setFiles({ name: `photo-${seed}.png`, mimeType: 'image/png', buffer: png(64, seed) })
  await page.locator(`#status-${path.replace(/\./g, '-')}:visible`, { hasText: '已上传' }).waitFor()
}

/** WeChat Pay moves the review to `state`; a minute later 刷新 shows `label` on the status page (then a screenshot). */
async function reviewMovesTo(page: Page, applicationNo: string, state: Parameters<typeof advance>[2], label: string, shotName?: string) {
  await advance(stack.emulator, applicationNo, state)
  await later(60_000)
  await visible(page, 'refresh-status').click()
  await page.locator('#application-state:visible', { hasText: label }).waitFor({ timeout: 20_000 })
  if (shotName) await shot(page, shotName)
}

test('a 小微 shop applies in the browser and, once WeChat Pay finishes the review, gets its shop QR code', async () => {
  const errors: string[] = []
  const page = await openPhone(stack, 'pages/applications/index', (e) => errors.push(e.message))
  await visible(page, 'new-application').click()
  await page.locator('#step-title:visible', { hasText: '主体信息' }).waitFor()
  await visible(page, 'c-organizationType-2401').click()
  await field(page, 'merchantShortname').fill('张三小吃')
  await shot(page, '1-type')
  await next(page, '身份证件')
  await photo(page, 'idCard.portraitMediaId', 1)
  await photo(page, 'idCard.nationalMediaId', 2)
  await fill(page, { 'idCard.name': '张三', 'idCard.number': '11010519491231002X', 'idCard.validFrom': '2020-01-01' })
  await visible(page, 'long-idCard-validUntil').click()
  await shot(page, '2-identity')
  await next(page, '结算账户')
  await fill(page, { 'bankAccount.bank': '招商银行', 'bankAccount.bankAddressCode': '110000', 'bankAccount.accountName': '张三', 'bankAccount.accountNumber': '6225880137706789' })
  await shot(page, '3-bank')
  await next(page, '店铺与联系人')
  await fill(page, { 'store.name': '张三小吃店', 'store.url': 'https://shop.example.com/zhangsan', 'contact.name': '张三', 'contact.mobile': '13800005678' })
  await shot(page, '4-store')
  await next(page, '确认提交')
  await shot(page, '5-review')
  await visible(page, 'submit-button').click()
  await page.locator('#application-state:visible').waitFor({ timeout: 20_000 })
  const url = page.url()
  const applicationNo = decodeURIComponent(url.split('applicationNo=')[1])
  console.log('submitted', applicationNo, await page.locator('#application-state:visible').textContent())
  await shot(page, '6-submitted')

  await reviewMovesTo(page, applicationNo, 'AUDITING', '审核中', '7-auditing')
  await reviewMovesTo(page, applicationNo, 'NEED_SIGN', '待签约', '8-need-sign')
  await reviewMovesTo(page, applicationNo, 'FINISH', '已完成')
  await page.locator('#shop-qr:visible').waitFor()
  await shot(page, '9-finished')
  const path = await page.locator('#shop-path:visible').textContent()
  expect(path).toMatch(/^pages\/checkout\/index\?shopId=/)
  await visible(page, 'open-shop-checkout').click()
  await page.locator('#shop-name:visible', { hasText: '张三小吃' }).waitFor({ timeout: 20_000 })
  await shot(page, '10-shop-checkout')
  expect(errors).toEqual([])
})
