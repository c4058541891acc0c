import { act, fireEvent, screen, waitFor } from '@testing-library/react'
import Taro from '@tarojs/taro'
import { AppError } from '@/lib/errors'
import OnboardingPage from '@/pages/onboarding'
import { createMemoryStorage } from '@/services/types'
import { DRAFT_STORAGE_KEY } from '@/store/onboarding'
import { emptyValues } from '@/store/onboarding-fields'
import { instantBackend } from './support/fakes'
import { MICRO } from './support/onboarding-fixtures'
import { renderPage } from './support/render-page'

jest.mock('@tarojs/taro', () => require('./support/taro-mock').taroMock())
jest.mock('@tarojs/components', () => require('./support/taro-components'))

const el = (id: string) => document.getElementById(id) as HTMLInputElement & HTMLButtonElement
const text = (id: string) => el(id)?.textContent ?? null
const type = (id: string, value: string) => fireEvent.change(el(id), { target: { value } })
const blur = (id: string) => fireEvent.blur(el(id))
const tap = (id: string) => fireEvent.click(el(id))
const fid = (path: string, part = 'f') => `${part}-${path.replace(/\./g, '-')}`

/** Types every 小微 value present on the current step. */
function typeStep() {
  for (const [path, value] of Object.entries(MICRO)) {
    if (path === 'organizationType' || !document.getElementById(fid(path))) continue
    if (path === 'idCard.validUntil') { tap(fid(path, 'long')); continue }
    type(fid(path), value as string)
  }
}

beforeEach(() => jest.clearAllMocks())

describe('onboarding page', () => {
  test('starts on 主体信息 with the four organization types and says what is missing on 下一步', () => {
    renderPage(<OnboardingPage />)
    expect(text('step-title')).toBe('主体信息')
    for (const label of ['小微商户', '个人卖家', '个体工商户', '企业']) expect(screen.getByText(label)).toBeTruthy()
    tap('next-button')
    expect(text('step-title')).toBe('主体信息')
    expect(text(fid('organizationType', 'e'))).toBe('请选择主体类型')
    expect(text('onboarding-notice')).toBe('还有 1 项需要填写或修改，请查看标红的提示')
  })

  test('企业 asks for the business licence; 小微 does not', () => {
    renderPage(<OnboardingPage />)
    tap(`${fid('organizationType', 'c')}-2`)
    expect(el(fid('businessLicense.number'))).toBeTruthy()
    expect(screen.getByText('营业执照照片')).toBeTruthy()
    tap(`${fid('organizationType', 'c')}-2401`)
    expect(document.getElementById(fid('businessLicense.number'))).toBeNull()
  })

  test('a field left with a bad value says why under it, as the user types', () => {
    renderPage(<OnboardingPage />)
    tap(`${fid('organizationType', 'c')}-2401`)
    type(fid('merchantShortname'), '张三小吃')
    tap('next-button')
    expect(text('step-title')).toBe('身份证件')
    type(fid('idCard.number'), '110105194912310021')
    expect(document.getElementById(fid('idCard.number', 'e'))).toBeNull()
    blur(fid('idCard.number'))
    expect(text(fid('idCard.number', 'e'))).toBe('身份证号校验位不正确，请核对')
    type(fid('idCard.number'), '11010519491231002X')
    expect(document.getElementById(fid('idCard.number', 'e'))).toBeNull()
    type(fid('idCard.validFrom'), '2020-13-01')
    blur(fid('idCard.validFrom'))
    expect(text(fid('idCard.validFrom', 'e'))).toBe('日期格式应为 YYYY-MM-DD')
    tap(fid('idCard.validUntil', 'long'))
    expect(el(fid('idCard.validUntil')).disabled).toBe(true)
  })

  test('a photo uploads with its state shown; a failed one says why and 重试 sends it again', async () => {
    const backend = instantBackend()
    const picks = ['wxfile://tmp/portrait.jpg', 'wxfile://tmp/national.png']
    renderPage(<OnboardingPage />, { backend, chooseImage: async () => ({ path: picks.shift()!, sizeBytes: 50_000 }) })
    tap(`${fid('organizationType', 'c')}-2401`)
    type(fid('merchantShortname'), '张三小吃')
    tap('next-button')
    expect(text(fid('idCard.portraitMediaId', 'status'))).toBe('点击上传')
    tap(fid('idCard.portraitMediaId', 'img'))
    await waitFor(() => expect(text(fid('idCard.portraitMediaId', 'status'))).toBe('已上传，点击更换'))
    backend.failNext('uploadMedia', new AppError('NETWORK_ERROR'))
    tap(fid('idCard.nationalMediaId', 'img'))
    await waitFor(() => expect(text(fid('idCard.nationalMediaId', 'status'))).toBe('上传失败'))
    expect(text(fid('idCard.nationalMediaId', 'upload-error'))).toBe('网络连接失败，请检查网络后重试')
    tap(fid('idCard.nationalMediaId', 'retry'))
    await waitFor(() => expect(text(fid('idCard.nationalMediaId', 'status'))).toBe('已上传，点击更换'))
    expect(backend.calls.uploadMedia.map((c) => c[0])).toEqual(['wxfile://tmp/portrait.jpg', 'wxfile://tmp/national.png', 'wxfile://tmp/national.png'])
  })

  test('the whole form: four steps, a review with personal data masked, then 提交申请 opens its status', async () => {
    const picks = ['wxfile://tmp/portrait.jpg', 'wxfile://tmp/national.png']
    const { backend } = renderPage(<OnboardingPage />, { chooseImage: async () => ({ path: picks.shift()!, sizeBytes: 50_000 }) })
    tap(`${fid('organizationType', 'c')}-2401`)
    typeStep()
    tap('next-button')
    typeStep()
    tap(fid('idCard.portraitMediaId', 'img'))
    await waitFor(() => expect(text(fid('idCard.portraitMediaId', 'status'))).toBe('已上传，点击更换'))
    tap(fid('idCard.nationalMediaId', 'img'))
    await waitFor(() => expect(text(fid('idCard.nationalMediaId', 'status'))).toBe('已上传，点击更换'))
    tap('next-button')
    expect(text('step-title')).toBe('结算账户')
    typeStep()
    tap('next-button')
    typeStep()
    tap('next-button')
    expect(text('step-title')).toBe('确认提交')
    const review = text('review-identity')!
    expect(review).toContain('1101**********002X')
    expect(review).not.toContain('11010519491231002X')
    expect(text('review-bank')).toContain('****6789')
    expect(text('review-store')).toContain('138****5678')
    expect(document.body.textContent).not.toContain('6225880137706789')
    tap('submit-button')
    await waitFor(() => expect(Taro.redirectTo).toHaveBeenCalledWith({ url: expect.stringMatching(/^\/pages\/applications\/index\?applicationNo=A\d+/) }))
    expect(await backend.listApplications()).toEqual([expect.objectContaining({ merchantShortname: '张三小吃', state: 'submitting' })])
  })

  test('a draft in storage is restored, with a note saying so', () => {
    const storage = createMemoryStorage()
    storage.set(DRAFT_STORAGE_KEY, JSON.stringify({ step: 'identity', values: { ...emptyValues(), organizationType: '2401', merchantShortname: '张三小吃', 'idCard.name': '张三' }, editing: null, uploads: {} }))
    renderPage(<OnboardingPage />, { storage })
    expect(text('step-title')).toBe('身份证件')
    expect(text('onboarding-notice')).toBe('已恢复上次未提交的内容')
    expect(el(fid('idCard.name')).value).toBe('张三')
    tap('back-button')
    expect(el(fid('merchantShortname')).value).toBe('张三小吃')
  })

  test('the server\'s field problems show on their fields after 提交', async () => {
    const { stores, backend } = renderPage(<OnboardingPage />)
    const s = stores.onboarding
    act(() => {
      for (const [path, value] of Object.entries(MICRO)) s.getState().setField(path as never, value as string)
    })
    const ids = [await backend.uploadMedia('a.jpg'), await backend.uploadMedia('b.jpg')]
    act(() => {
      s.getState().setField('idCard.portraitMediaId', ids[0])
      s.getState().setField('idCard.nationalMediaId', ids[1])
      s.getState().goTo('review')
    })
    backend.failNext('createApplication', new AppError('INVALID_APPLICATION', undefined, 'HTTP 400', [{ field: 'contact.mobile', message: '手机号已被其他商户使用' }]))
    tap('submit-button')
    await waitFor(() => expect(text('step-title')).toBe('店铺与联系人'))
    expect(text(fid('contact.mobile', 'e'))).toBe('手机号已被其他商户使用')
    expect(el('step-store').className).toContain('step-bar__item--flagged')
    expect(el('step-identity').className).not.toContain('step-bar__item--flagged')
    expect(text('onboarding-notice')).toBe('提交未通过：1 项需要修改，请查看标红的提示')
  })
})
