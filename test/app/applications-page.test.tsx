import { act, fireEvent, screen, waitFor } from '@testing-library/react'
import Taro from '@tarojs/taro'
import { qrMatrix } from '@/lib/qr'
import ApplicationsPage from '@/pages/applications'
import { renderPage } from './support/render-page'
import { submitMicro } from './support/onboarding-fixtures'
import { router } from './support/taro-mock'

jest.mock('@tarojs/taro', () => require('./support/taro-mock').taroMock())
jest.mock('@tarojs/components', () => require('./support/taro-components'))

const el = (id: string) => document.getElementById(id) as HTMLElement
const text = (id: string) => el(id)?.textContent ?? null

/** Renders the status page of a 小微 application moved to `to` by the mock's review. */
async function statusPage(to: Parameters<ReturnType<typeof renderPage>['backend']['advanceApplication']>[1], rejections?: Array<{ field: string; reason: string }>) {
  const env = renderPage(<></>)
  env.unmount()
  const application = await submitMicro(env.stores.onboarding, env.backend)
  await env.backend.advanceApplication(application.applicationNo, to, rejections)
  router.params = { applicationNo: application.applicationNo }
  const view = renderPage(<ApplicationsPage />, { backend: env.backend, storage: env.storage })
  await waitFor(() => expect(document.getElementById('application-state')).not.toBeNull())
  return { ...view, application }
}

beforeEach(() => {
  jest.clearAllMocks()
  router.params = {}
})

describe('applications page', () => {
  test('the empty list invites to apply; 申请入驻 opens the form', async () => {
    renderPage(<ApplicationsPage />)
    await waitFor(() => expect(text('applications-empty')).toBe('还没有入驻申请'))
    fireEvent.click(el('new-application'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/onboarding/index' })
  })

  test('lists applications with their state; tapping one opens its status', async () => {
    const env = renderPage(<></>)
    const a = await submitMicro(env.stores.onboarding, env.backend)
    env.unmount()
    renderPage(<ApplicationsPage />, { backend: env.backend })
    await waitFor(() => expect(el(`application-${a.applicationNo}`)).toBeTruthy())
    expect(text(`application-${a.applicationNo}`)).toContain('张三小吃')
    expect(text(`application-${a.applicationNo}`)).toContain('提交中')
    fireEvent.click(el(`application-${a.applicationNo}`))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: `/pages/applications/index?applicationNo=${a.applicationNo}` })
  })

  test('rejected: the timeline stops at 已驳回, each reason is shown on its field, 修改并重新提交 reopens the form filled in', async () => {
    const { stores, application } = await statusPage('rejected', [
      { field: 'idCard.number', reason: '身份证号码与姓名不一致' },
      { field: 'bankAccount.accountNumber', reason: '银行账号不存在' },
    ])
    expect(text('application-state')).toBe('已驳回')
    expect(el('timeline').querySelector('.timeline__item--stopped')?.textContent).toContain('已驳回')
    expect(text('rejection-idCard-number')).toBe('身份证号码身份证号码与姓名不一致')
    expect(text('rejection-bankAccount-accountNumber')).toContain('银行账号')
    expect(text('masked-id')).toBe('1101**********002X')
    fireEvent.click(el('resubmit-button'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/onboarding/index' })
    expect(stores.onboarding.getState()).toMatchObject({ editing: application.applicationNo, step: 'identity' })
    expect(stores.onboarding.getState().values['idCard.name']).toBe('张三')
    expect(stores.onboarding.getState().rejected['idCard.number']).toBe('身份证号码与姓名不一致')
  })

  test('need_sign: the sign link as a QR code and a copy button', async () => {
    await statusPage('need_sign')
    expect(text('application-state')).toBe('待签约')
    const url = text('sign-url')!
    expect(url).toMatch(/^https:\/\/pay\.weixin\.qq\.com\//)
    expect(el('sign-qr').querySelectorAll('.qr-code__row')).toHaveLength(qrMatrix(url).size)
    fireEvent.click(el('copy-sign-link'))
    expect(Taro.setClipboardData).toHaveBeenCalledWith({ data: url })
  })

  test('account_need_verify: what to transfer, where, with which remark', async () => {
    await statusPage('account_need_verify')
    const panel = text('account-verify')!
    expect(panel).toContain('请验证结算账户')
    expect(panel).toContain('****6789')
    expect(panel).toContain('¥0.01')
    expect(panel).toContain('财付通支付科技有限公司')
    expect(panel).toContain('转账备注')
  })

  test('finished: the shop\'s QR code opens the checkout for that shop', async () => {
    const { application, backend } = await statusPage('finished')
    const [finished] = await backend.listApplications()
    expect(text('application-state')).toBe('已完成')
    expect(text('shop-path')).toBe(`pages/checkout/index?shopId=${finished.shopId}`)
    expect(el('shop-qr').querySelectorAll('.qr-code__row')).toHaveLength(qrMatrix(`pages/checkout/index?shopId=${finished.shopId}`).size)
    expect(application.applicationNo).toBe(finished.applicationNo)
    fireEvent.click(el('open-shop-checkout'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: `/pages/checkout/index?shopId=${finished.shopId}` })
  })

  test('the dev review buttons move the mock\'s review along', async () => {
    await statusPage('auditing')
    expect(text('application-state')).toBe('审核中')
    fireEvent.click(screen.getByText('推进到「待签约」'))
    await waitFor(() => expect(text('application-state')).toBe('待签约'))
    await act(async () => {})
  })
})
