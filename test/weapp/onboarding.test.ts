/** @jest-environment jsdom */
// The compiled onboarding flow (production-mode weapp build with the in-app mock backend) in
// miniprogram-simulate: the form's validation and steps as a user types and taps them, photos
// picked through wx.chooseMedia, and the status page for `rejected` and `need_sign`, the mock's
// review moved along with the status page's dev buttons.
import { simSuite } from './support/sim-suite'
import { waitFor, type SimApp } from './support/weapp-sim'

const ONBOARDING = 'pages/onboarding/index'
const APPLICATIONS = 'pages/applications/index'

const sim = simSuite()

const photos = () => [
  { tempFilePath: 'http://tmp/portrait.jpg', size: 180_000 },
  { tempFilePath: 'http://tmp/national.jpg', size: 150_000 },
]

const openForm = () => sim.open(ONBOARDING, { mediaFiles: photos() }, (app) => app.find('next-button'), 'the onboarding form to render')

/** The text of the node with `id` on the top page (undefined when there is none). */
const textOf = (page: SimApp, id: string) => (page.find(id)?.dom as { textContent?: string | null } | undefined)?.textContent ?? undefined
const stepTitle = (page: SimApp) => textOf(page, 'step-title')
const callsOf = (page: SimApp, api: string) => page.wx.calls.filter((c) => c.api === api).map((c) => c.options)

/** Taps 下一步 and waits for the step `title`. */
async function nextTo(page: SimApp, title: string) {
  expect(page.tap('next-button')).toBe(true)
  await waitFor(() => stepTitle(page) === title, `the step ${title}`)
}

/** Types a 小微 application through all four steps up to the review step. */
async function fillMicro(page: SimApp) {
  page.tap('c-organizationType-2401')
  await waitFor(() => page.find('f-merchantShortname'), 'the short name field')
  page.input('f-merchantShortname', '张三小吃')
  await nextTo(page, '身份证件')
  page.tap('img-idCard-portraitMediaId')
  await waitFor(() => textOf(page, 'status-idCard-portraitMediaId') === '已上传，点击更换', 'the portrait photo upload')
  page.tap('img-idCard-nationalMediaId')
  await waitFor(() => textOf(page, 'status-idCard-nationalMediaId') === '已上传，点击更换', 'the national photo upload')
  page.input('f-idCard-name', '张三')
  page.input('f-idCard-number', '11010519491231002X')
  page.input('f-idCard-validFrom', '2020-01-01')
  page.tap('long-idCard-validUntil')
  await nextTo(page, '结算账户')
  page.input('f-bankAccount-bank', '招商银行')
  page.input('f-bankAccount-bankAddressCode', '110000')
  page.input('f-bankAccount-accountName', '张三')
  page.input('f-bankAccount-accountNumber', '6225880137706789')
  await nextTo(page, '店铺与联系人')
  page.input('f-store-name', '张三小吃店')
  page.input('f-store-url', 'https://shop.example.com/zhangsan')
  page.input('f-contact-name', '张三')
  page.input('f-contact-mobile', '13800005678')
  await nextTo(page, '确认提交')
}

/** Submits from the review step and waits for the status page. */
async function submit(page: SimApp) {
  await waitFor(() => page.attr('submit-button', 'disabled') === false, 'the submit button to enable')
  page.tap('submit-button')
  await waitFor(() => page.top().route === APPLICATIONS && page.find('application-state'), 'the status page')
}

/** Taps a dev review button and waits for the state text. */
async function devMove(page: SimApp, button: string, stateText: string) {
  await waitFor(() => page.find(button), `the dev button ${button}`)
  page.tap(button)
  await waitFor(() => textOf(page, 'application-state') === stateText, `the state ${stateText}`)
}

describe('compiled onboarding flow', () => {
  it('validates as the user types and names every problem of a step', async () => {
    const page = await openForm()
    expect(stepTitle(page)).toBe('主体信息')
    page.tap('next-button')
    await waitFor(() => page.find('e-organizationType'), 'the organization type message')
    expect(page.text()).toContain('请选择主体类型')
    expect(page.text()).toContain('还有 1 项需要填写或修改')

    page.tap('c-organizationType-2')
    await waitFor(() => page.find('f-businessLicense-number'), 'the licence fields of 企业')
    page.tap('next-button')
    await waitFor(() => page.find('e-businessLicense-number'), 'the licence messages')
    expect(page.text()).toContain('请上传营业执照照片')
    expect(page.text()).toContain('请输入统一社会信用代码')
    expect(stepTitle(page)).toBe('主体信息')

    page.tap('c-organizationType-2401')
    page.input('f-merchantShortname', '张三小吃')
    await nextTo(page, '身份证件')
    page.input('f-idCard-number', '110105194912310021')
    page.blur('f-idCard-number')
    await waitFor(() => page.find('e-idCard-number'), 'the ID number message')
    expect(textOf(page, 'e-idCard-number')).toBe('身份证号校验位不正确，请核对')
    page.input('f-idCard-number', '11010519491231002X')
    await waitFor(() => !page.find('e-idCard-number'), 'the ID number message to go')
    expect(page.errors).toEqual([])
  })

  it('walks the four steps, reviews masked data, submits, and the rejected application is fixed and resubmitted', async () => {
    const page = await openForm()
    await fillMicro(page)
    const review = page.text()
    expect(review).toContain('1101**********002X')
    expect(review).toContain('****6789')
    expect(review).toContain('138****5678')
    expect(review).not.toContain('11010519491231002X')
    expect(callsOf(page, 'chooseMedia')).toHaveLength(2)
    await submit(page)
    expect(textOf(page, 'application-state')).toBe('提交中')
    expect(page.text()).toContain('1101**********002X')

    await devMove(page, 'dev-reject', '已驳回')
    expect(textOf(page, 'rejections')).toContain('身份证号码与姓名不一致')
    expect(textOf(page, 'rejection-idCard-number')).toContain('身份证号码')
    page.tap('resubmit-button')
    await waitFor(() => page.top().route === ONBOARDING && stepTitle(page) === '身份证件', 'the form reopened on the rejected field')
    expect(textOf(page, 'e-idCard-number')).toBe('身份证号码与姓名不一致，请核对后重新提交')
    expect(page.attr('f-idCard-name', 'value')).toBe('张三')
    expect(page.text()).toContain('正在修改申请')

    page.input('f-idCard-number', '110105194912310037')
    await waitFor(() => textOf(page, 'e-idCard-number') === '身份证号校验位不正确，请核对', 'the rule to take over')
    page.input('f-idCard-number', '11010519491231002X')
    await nextTo(page, '结算账户')
    await nextTo(page, '店铺与联系人')
    await nextTo(page, '确认提交')
    expect(textOf(page, 'submit-button')).toBe('重新提交')
    await submit(page)
    expect(textOf(page, 'application-state')).toBe('提交中')
    const stored = JSON.parse(String(page.wx.storage.get('wxpay.mock-onboarding.v1')))
    expect(stored.applications).toHaveLength(1)
    expect(page.errors).toEqual([])
  })

  it('shows the sign link of a need_sign application as a QR code and copies it', async () => {
    const page = await openForm()
    await fillMicro(page)
    await submit(page)
    await devMove(page, 'dev-next', '资料校验中')
    await devMove(page, 'dev-next', '审核中')
    await devMove(page, 'dev-next', '待签约')
    const url = textOf(page, 'sign-url') ?? ''
    expect(url).toMatch(/^https:\/\/pay\.weixin\.qq\.com\/public\/apply4ec_sign\//)
    // The sign URL needs a version-4-or-larger code (33+ modules a side): one painted row per module row.
    expect(page.find('sign-qr')).toBeDefined()
    let rows = 0
    while (page.find(`sign-qr-row-${rows}`)) rows += 1
    expect(rows).toBeGreaterThanOrEqual(33)
    expect((rows - 17) % 4).toBe(0)
    expect(String(page.attr('sign-qr-row-0', 'style'))).toMatch(/linear-gradient\(to right, .*#000/)
    page.tap('copy-sign-link')
    await waitFor(() => callsOf(page, 'setClipboardData').length === 1, 'wx.setClipboardData')
    expect(callsOf(page, 'setClipboardData')[0].data).toBe(url)
    expect(page.errors).toEqual([])
  })

  it('a finished application shows the shop\'s QR code, whose checkout names the shop and orders for it', async () => {
    const page = await openForm()
    await fillMicro(page)
    await submit(page)
    for (const state of ['资料校验中', '审核中', '待签约', '已完成']) await devMove(page, 'dev-next', state)
    const path = textOf(page, 'shop-path') ?? ''
    expect(path).toMatch(/^pages\/checkout\/index\?shopId=S\d+$/)
    expect(page.find('shop-qr-row-0')).toBeDefined()
    page.tap('open-shop-checkout')
    await waitFor(() => page.top().route === 'pages/checkout/index' && textOf(page, 'shop-name'), 'the shop\'s checkout')
    expect(page.top().query).toEqual({ shopId: path.split('=')[1] })
    expect(textOf(page, 'shop-name')).toBe('张三小吃店')
    page.input('amount-input', '9.9')
    page.input('description-input', '小吃')
    await waitFor(() => page.attr('pay-button', 'disabled') === false, 'the pay button to enable')
    page.tap('pay-button')
    await waitFor(() => callsOf(page, 'requestPayment').length === 1, 'wx.requestPayment')
    const orders = JSON.parse(String(page.wx.storage.get('wxpay.mock-backend.v1'))).orders
    expect(orders).toEqual([expect.objectContaining({ amount: 990, shopId: path.split('=')[1] })])
    expect(page.errors).toEqual([])
  })
})
