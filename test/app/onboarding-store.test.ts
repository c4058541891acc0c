// The onboarding store's states: fresh store, the real in-app mock backend without latency (or a
// scripted one), an in-memory storage, a scripted photo picker. No sleeps.
import { AppError } from '@/lib/errors'
import { createMemoryStorage, type ChooseImage, type KeyValueStorage, type UploadProgress } from '@/services/types'
import { DRAFT_STORAGE_KEY, SUBMITTED_STORAGE_PREFIX, createOnboardingStore, fieldError } from '@/store/onboarding'
import { deferred, flush, instantBackend } from './support/fakes'
import { MICRO, fill } from './support/onboarding-fixtures'

function setup({ storage = createMemoryStorage(), picks = [] as Array<{ path: string; sizeBytes: number } | null>, backend = instantBackend() } = {}) {
  const chooseImage: ChooseImage = jest.fn(async () => (picks.length ? picks.shift()! : null))
  let n = 0
  const store = createOnboardingStore({ backend, storage, chooseImage, newRequestId: () => `req-onboard-${++n}`, today: () => '2026-12-01' })
  return { store, backend, storage, chooseImage }
}

/** Fills the 小微 form and uploads both ID-card photos. */
async function filledMicro(options: Parameters<typeof setup>[0] = {}) {
  const env = setup({ ...options, picks: [{ path: 'wxfile://tmp/portrait.jpg', sizeBytes: 120_000 }, { path: 'wxfile://tmp/national.png', sizeBytes: 98_000 }] })
  fill(env.store, MICRO)
  await env.store.getState().pickImage('idCard.portraitMediaId')
  await env.store.getState().pickImage('idCard.nationalMediaId')
  return env
}

const draftIn = (storage: KeyValueStorage) => JSON.parse(storage.get(DRAFT_STORAGE_KEY) ?? 'null')

describe('onboarding store: the form', () => {
  test('a fresh store starts on the first step with nothing shown as wrong', () => {
    const { store } = setup()
    const s = store.getState()
    expect(s.step).toBe('type')
    expect(s.errors.organizationType).toBe('请选择主体类型')
    expect(fieldError(s, 'organizationType')).toBeUndefined()
    expect(s.notice).toBeNull()
  })

  test('a touched field shows the rule\'s Chinese message as the user types, and none once it is right', () => {
    const { store } = setup()
    fill(store, { organizationType: '2401', 'idCard.number': '110105194912310021' })
    store.getState().touch('idCard.number')
    expect(fieldError(store.getState(), 'idCard.number')).toBe('身份证号校验位不正确，请核对')
    fill(store, { 'idCard.number': '11010519491231002' })
    expect(fieldError(store.getState(), 'idCard.number')).toBe('身份证号应为 18 位（最后一位可以是 X）')
    fill(store, { 'idCard.number': '11010519491231002x' })
    expect(fieldError(store.getState(), 'idCard.number')).toBeUndefined()
    fill(store, { 'contact.mobile': '1380000567' })
    store.getState().touch('contact.mobile')
    expect(fieldError(store.getState(), 'contact.mobile')).toBe('请输入 11 位手机号')
  })

  test('next() stops on a step with problems, marks all of them and says how many', () => {
    const { store } = setup()
    fill(store, { organizationType: '2' })
    expect(store.getState().next()).toBe(false)
    const s = store.getState()
    expect(s.step).toBe('type')
    expect(s.notice).toBe('还有 5 项需要填写或修改，请查看标红的提示')
    expect(fieldError(s, 'merchantShortname')).toBe('请输入商户简称')
    expect(fieldError(s, 'businessLicense.copyMediaId')).toBe('请上传营业执照照片')
    expect(fieldError(s, 'businessLicense.number')).toBe('请输入统一社会信用代码')
  })

  test('the organization type decides what is asked: 企业 → corporate account, 小微 → personal and no licence', () => {
    const { store } = setup()
    fill(store, { organizationType: '2' })
    expect(store.getState().values['bankAccount.type']).toBe('corporate')
    fill(store, { organizationType: '2401', 'contact.type': 'agent' })
    fill(store, { organizationType: '2401' })
    expect(store.getState().values['bankAccount.type']).toBe('personal')
    expect(store.getState().values['contact.type']).toBe('legal')
    fill(store, { merchantShortname: '小店' })
    expect(store.getState().next()).toBe(true)
    expect(store.getState().step).toBe('identity')
  })

  test('walks the four steps to the review step and back', async () => {
    const { store } = await filledMicro()
    for (const step of ['identity', 'bank', 'store', 'review']) {
      expect(store.getState().next()).toBe(true)
      expect(store.getState().step).toBe(step)
    }
    store.getState().back()
    expect(store.getState().step).toBe('store')
    store.getState().goTo('identity')
    expect(store.getState().step).toBe('identity')
  })

  test('the draft is written on every change and a new store restores it', async () => {
    const { store, storage } = await filledMicro()
    store.getState().next()
    const draft = draftIn(storage)
    expect(draft.step).toBe('identity')
    expect(draft.values['idCard.name']).toBe('张三')
    expect(draft.uploads['idCard.portraitMediaId']).toBe('wxfile://tmp/portrait.jpg')
    fill(store, { 'store.name': '张三小吃总店' })
    expect(draftIn(storage).values['store.name']).toBe('张三小吃总店')

    const again = setup({ storage }).store.getState()
    expect(again.step).toBe('identity')
    expect(again.values['store.name']).toBe('张三小吃总店')
    expect(again.values['idCard.portraitMediaId']).toMatch(/^mock-media-/)
    expect(again.uploads['idCard.portraitMediaId']).toEqual({ status: 'done', path: 'wxfile://tmp/portrait.jpg' })
    expect(again.notice).toBe('已恢复上次未提交的内容')
  })

  test('startNew() forgets the draft', async () => {
    const { store, storage } = await filledMicro()
    store.getState().startNew()
    expect(storage.get(DRAFT_STORAGE_KEY)).toBeNull()
    expect(store.getState().values.organizationType).toBe('')
  })
})

describe('onboarding store: photos', () => {
  test('an upload goes uploading (with progress) → done and fills the field with the mediaId', async () => {
    const backend = instantBackend()
    const answer = deferred<string>()
    let progress: UploadProgress = () => {}
    backend.uploadMedia = (_path, onProgress) => { progress = onProgress ?? progress; return answer.promise }
    const { store } = setup({ backend, picks: [{ path: 'wxfile://tmp/a.jpg', sizeBytes: 1000 }] })
    const running = store.getState().pickImage('idCard.portraitMediaId')
    await flush()
    expect(store.getState().uploads['idCard.portraitMediaId']).toEqual({ status: 'uploading', progress: 0, path: 'wxfile://tmp/a.jpg' })
    progress(42.4)
    expect(store.getState().uploads['idCard.portraitMediaId']).toEqual({ status: 'uploading', progress: 42, path: 'wxfile://tmp/a.jpg' })
    answer.resolve('media-1')
    await running
    expect(store.getState().uploads['idCard.portraitMediaId']).toEqual({ status: 'done', path: 'wxfile://tmp/a.jpg' })
    expect(store.getState().values['idCard.portraitMediaId']).toBe('media-1')
  })

  test('a failed upload says why and a retry sends the same photo again', async () => {
    const { store, backend, chooseImage } = setup({ picks: [{ path: 'wxfile://tmp/a.jpg', sizeBytes: 1000 }] })
    backend.failNext('uploadMedia', new AppError('NETWORK_ERROR'))
    await store.getState().pickImage('idCard.nationalMediaId')
    expect(store.getState().uploads['idCard.nationalMediaId']).toEqual({ status: 'failed', path: 'wxfile://tmp/a.jpg', message: '网络连接失败，请检查网络后重试' })
    expect(store.getState().values['idCard.nationalMediaId']).toBe('')
    await store.getState().retryUpload('idCard.nationalMediaId')
    expect(store.getState().uploads['idCard.nationalMediaId']?.status).toBe('done')
    expect(backend.calls.uploadMedia.map((c) => c[0])).toEqual(['wxfile://tmp/a.jpg', 'wxfile://tmp/a.jpg'])
    expect(chooseImage).toHaveBeenCalledTimes(1)
  })

  test('a photo over 2 MB is refused before uploading; a cancelled picker changes nothing', async () => {
    const { store, backend } = setup({ picks: [{ path: 'wxfile://tmp/big.jpg', sizeBytes: 2_097_153 }, null] })
    await store.getState().pickImage('idCard.portraitMediaId')
    expect(store.getState().uploads['idCard.portraitMediaId']).toEqual({ status: 'failed', path: null, message: '照片超过 2MB，请重新选择或拍摄' })
    await store.getState().pickImage('idCard.nationalMediaId')
    expect(store.getState().uploads['idCard.nationalMediaId']).toBeUndefined()
    expect(backend.calls.uploadMedia).toBeUndefined()
  })

  test('the server\'s INVALID_IMAGE message is shown on the photo', async () => {
    const { store } = setup({ picks: [{ path: 'wxfile://tmp/notes.txt', sizeBytes: 10 }] })
    await store.getState().pickImage('idCard.portraitMediaId')
    expect(store.getState().uploads['idCard.portraitMediaId']).toMatchObject({ status: 'failed', message: '请上传 JPG、PNG 或 BMP 格式的图片' })
  })
})

describe('onboarding store: submitting', () => {
  test('submits with a requestId, keeps the submitted form on the device and clears the draft', async () => {
    const { store, storage, backend } = await filledMicro()
    const application = await store.getState().submit()
    expect(application).toMatchObject({ state: 'submitting', merchantShortname: '张三小吃', masked: { idCardNumber: '1101**********002X', mobile: '138****5678', accountNumber: '****6789', idCardName: '张*' } })
    expect(backend.calls.createApplication[0][0]).toMatchObject({ requestId: 'req-onboard-1', organizationType: '2401', idCard: { validUntil: '长期' } })
    expect(storage.get(DRAFT_STORAGE_KEY)).toBeNull()
    expect(JSON.parse(storage.get(SUBMITTED_STORAGE_PREFIX + application!.applicationNo)!).values['idCard.number']).toBe('11010519491231002X')
    expect(store.getState()).toMatchObject({ step: 'type', submitting: false, current: { application } })
  })

  test('a form with problems is not sent: it jumps to the first step with one', async () => {
    const { store, backend } = await filledMicro()
    fill(store, { 'bankAccount.accountNumber': '12ab' })
    store.getState().goTo('review')
    expect(await store.getState().submit()).toBeNull()
    expect(store.getState().step).toBe('bank')
    expect(fieldError(store.getState(), 'bankAccount.accountNumber')).toBe('银行账号应为 8–30 位数字')
    expect(backend.calls.createApplication).toBeUndefined()
  })

  test('a lost answer is retried with the same requestId; an edited form gets a new one', async () => {
    const { store, backend } = await filledMicro()
    backend.failNext('createApplication', new AppError('TIMEOUT'))
    expect(await store.getState().submit()).toBeNull()
    expect(store.getState().submitError?.message).toBe('请求超时，请稍后重试')
    backend.failNext('createApplication', new AppError('NETWORK_ERROR'))
    await store.getState().submit()
    fill(store, { 'store.name': '张三小吃二店' })
    await store.getState().submit()
    expect(backend.calls.createApplication.map((c) => (c[0] as { requestId: string }).requestId)).toEqual(['req-onboard-1', 'req-onboard-1', 'req-onboard-2'])
  })

  test('400 INVALID_APPLICATION details land on their fields and the form opens at the first one', async () => {
    const { store, backend } = await filledMicro()
    backend.failNext('createApplication', new AppError('INVALID_APPLICATION', undefined, 'HTTP 400', [
      { field: 'bankAccount.accountNumber', message: '银行账号与开户名不符' },
      { field: 'contact.mobile', message: '手机号已被其他商户使用' },
    ]))
    store.getState().goTo('review')
    expect(await store.getState().submit()).toBeNull()
    const s = store.getState()
    expect(s.step).toBe('bank')
    expect(s.notice).toBe('提交未通过：2 项需要修改，请查看标红的提示')
    expect(fieldError(s, 'bankAccount.accountNumber')).toBe('银行账号与开户名不符')
    expect(fieldError(s, 'contact.mobile')).toBe('手机号已被其他商户使用')
    expect(s.next()).toBe(false)
    fill(store, { 'bankAccount.accountNumber': '6225880137700001' })
    expect(fieldError(store.getState(), 'bankAccount.accountNumber')).toBeUndefined()
  })

  test('a double tap submits once', async () => {
    const { store, backend } = await filledMicro()
    await Promise.all([store.getState().submit(), store.getState().submit()])
    expect(backend.calls.createApplication).toHaveLength(1)
  })
})

describe('onboarding store: applications', () => {
  test('lists the applications and reads one', async () => {
    const { store } = await filledMicro()
    const created = (await store.getState().submit())!
    await store.getState().loadApplications()
    expect(store.getState().applications).toMatchObject({ status: 'ready', list: [{ applicationNo: created.applicationNo }] })
    await store.getState().openApplication(created.applicationNo)
    expect(store.getState().current).toMatchObject({ status: 'ready', application: { state: 'submitting', stateText: '提交中' } })
  })

  test('an unknown application is an error with a Chinese message', async () => {
    const { store } = setup()
    await store.getState().openApplication('A000')
    expect(store.getState().current).toMatchObject({ status: 'error', error: { code: 'APPLICATION_NOT_FOUND', message: '申请单不存在' } })
  })

  test('a rejected application reopens filled in from this device, the rejected field marked, and is resubmitted', async () => {
    const { store, backend } = await filledMicro()
    const created = (await store.getState().submit())!
    await backend.advanceApplication(created.applicationNo, 'rejected', [{ field: 'idCard.number', reason: '身份证号码与姓名不一致' }])
    await store.getState().openApplication(created.applicationNo)
    const rejected = store.getState().current.application!
    expect(store.getState().hasKeptForm(created.applicationNo)).toBe(true)

    store.getState().reopen(rejected)
    let s = store.getState()
    expect(s).toMatchObject({ step: 'identity', editing: created.applicationNo, notice: '请按驳回原因修改标红的内容后重新提交' })
    expect(s.values['idCard.name']).toBe('张三')
    expect(s.uploads['idCard.portraitMediaId']).toEqual({ status: 'done', path: 'wxfile://tmp/portrait.jpg' })
    expect(fieldError(s, 'idCard.number')).toBe('身份证号码与姓名不一致')
    // A reason never blocks: the user may re-confirm a fact as it is.
    expect(s.next()).toBe(true)
    store.getState().goTo('identity')

    fill(store, { 'idCard.number': '110105194912310037' })
    store.getState().touch('idCard.number')
    expect(fieldError(store.getState(), 'idCard.number')).toBe('身份证号校验位不正确，请核对')
    fill(store, { 'idCard.number': '11010519491231002X', 'idCard.name': '张三' })
    const again = await store.getState().submit()
    expect(again).toMatchObject({ applicationNo: created.applicationNo, state: 'submitting' })
    expect(backend.calls.resubmitApplication[0][0]).toBe(created.applicationNo)
    expect(backend.calls.createApplication).toHaveLength(1)
    s = store.getState()
    expect(s.editing).toBeNull()
  })

  test('without a kept form the rejected application reopens with what the server knows and says so', async () => {
    const { store, backend } = await filledMicro()
    const created = (await store.getState().submit())!
    await backend.advanceApplication(created.applicationNo, 'rejected')
    const other = setup({ backend }).store
    await other.getState().openApplication(created.applicationNo)
    other.getState().reopen(other.getState().current.application!)
    expect(other.getState()).toMatchObject({ notice: '本机没有保存这份申请的资料，请重新填写后提交', editing: created.applicationNo })
    expect(other.getState().values).toMatchObject({ organizationType: '2401', merchantShortname: '张三小吃', 'idCard.name': '' })
  })

  test('a finished application creates a shop and the kept form is dropped from the device', async () => {
    const { store, backend, storage } = await filledMicro()
    const created = (await store.getState().submit())!
    await backend.advanceApplication(created.applicationNo, 'finished')
    await store.getState().openApplication(created.applicationNo)
    const finished = store.getState().current.application!
    expect(finished).toMatchObject({ state: 'finished', shopId: expect.stringMatching(/^S/) })
    expect(storage.get(SUBMITTED_STORAGE_PREFIX + created.applicationNo)).toBeNull()
    await expect(backend.getShop(finished.shopId!)).resolves.toEqual({ shopId: finished.shopId, name: '张三小吃店' })
  })
})
