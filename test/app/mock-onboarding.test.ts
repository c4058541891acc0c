// The in-app mock backend's onboarding half: the contract's rules, its own photos only, idempotent
// requestIds, resubmission only after a rejection, shops for finished applications.
import { createMockBackend } from '@/services/mock-backend'
import { createMemoryStorage } from '@/services/types'
import { emptyValues, toRequest, withField, type Values } from '@/store/onboarding-fields'
import { MICRO } from './support/onboarding-fixtures'

function setup() {
  const backend = createMockBackend({ storage: createMemoryStorage(), latencyMs: 0 })
  let values: Values = withField(emptyValues(), 'organizationType', '2401')
  for (const [k, v] of Object.entries(MICRO)) values = withField(values, k as keyof Values, v as string)
  const body = async (requestId = 'req-mock-0001', patch: Partial<Values> = {}) => {
    const portrait = await backend.uploadMedia('wxfile://tmp/p.jpg')
    const national = await backend.uploadMedia('wxfile://tmp/n.png')
    return toRequest({ ...values, 'idCard.portraitMediaId': portrait, 'idCard.nationalMediaId': national, ...patch }, requestId)
  }
  return { backend, body }
}

test('every bad field at once, with the contract\'s messages', async () => {
  const { backend, body } = setup()
  const error = await backend.createApplication(await body('req-mock-0001', { 'idCard.number': '110105194912310021', 'contact.mobile': '123' })).catch((e) => e)
  expect(error).toMatchObject({ code: 'INVALID_APPLICATION' })
  expect(error.fields).toEqual([
    { field: 'idCard.number', message: '身份证号校验位不正确，请核对' },
    { field: 'contact.mobile', message: '请输入 11 位手机号' },
  ])
})

test('a photo it never issued is refused on its field; a non-image upload is INVALID_IMAGE', async () => {
  const { backend, body } = setup()
  const error = await backend.createApplication(await body('req-mock-0001', { 'idCard.portraitMediaId': 'forged-media-id' })).catch((e) => e)
  expect(error.fields).toEqual([{ field: 'idCard.portraitMediaId', message: '照片已失效，请重新上传' }])
  await expect(backend.uploadMedia('wxfile://tmp/notes.txt')).rejects.toMatchObject({ code: 'INVALID_IMAGE' })
})

test('the same requestId answers the same application; resubmission only after a rejection', async () => {
  const { backend, body } = setup()
  const first = await backend.createApplication(await body())
  const again = await backend.createApplication(await body())
  expect(again.applicationNo).toBe(first.applicationNo)
  expect(await backend.listApplications()).toHaveLength(1)
  await expect(backend.resubmitApplication(first.applicationNo, await body('req-mock-0002'))).rejects.toMatchObject({ code: 'APPLICATION_NOT_EDITABLE' })
  await backend.advanceApplication(first.applicationNo, 'rejected')
  const resubmitted = await backend.resubmitApplication(first.applicationNo, await body('req-mock-0002', { 'store.name': '张三小吃新店' }))
  expect(resubmitted).toMatchObject({ applicationNo: first.applicationNo, state: 'submitting' })
  expect(resubmitted.rejections).toBeUndefined()
  await expect(backend.getApplication('A-unknown')).rejects.toMatchObject({ code: 'APPLICATION_NOT_FOUND' })
})

test('need_sign carries a sign link and a sub_mchid; finished a shop that orders can name', async () => {
  const { backend, body } = setup()
  const { applicationNo } = await backend.createApplication(await body())
  await backend.advanceApplication(applicationNo, 'need_sign')
  const signing = await backend.getApplication(applicationNo)
  expect(signing.signUrl).toMatch(/^https:\/\/pay\.weixin\.qq\.com\//)
  expect(signing.subMchid).toMatch(/^19\d{8}$/)
  await expect(backend.createOrder({ amount: 100, description: 'x', requestId: 'req-order-0001', shopId: `S${signing.subMchid}` })).rejects.toMatchObject({ code: 'SHOP_NOT_FOUND' })
  await backend.advanceApplication(applicationNo, 'finished')
  const { shopId, signUrl } = await backend.getApplication(applicationNo)
  expect(signUrl).toBeUndefined()
  await expect(backend.getShop(shopId!)).resolves.toEqual({ shopId, name: '张三小吃店' })
  const { order } = await backend.createOrder({ amount: 100, description: 'x', requestId: 'req-order-0002', shopId })
  expect(order.shopId).toBe(shopId)
  await expect(backend.getShop('S0')).rejects.toMatchObject({ code: 'SHOP_NOT_FOUND' })
})
