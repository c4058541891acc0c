// The in-app mock backend's onboarding half (platform.md §Onboarding, §Shops): media uploads,
// applications validated by the contract's rules, a review that a developer moves along by hand
// (advanceApplication, the status page's dev buttons), and shops for finished applications.
// Never part of a production build (required only through mock-backend.ts).
import { maskAccount, maskIdNumber, maskMobile, maskName, validateApplication } from '@/contract/application-rules'
import { APPLICATION_STATE_TEXT } from '@/contract/constants'
import { AppError, ERROR_MESSAGES } from '@/lib/errors'
import { randomString } from '@/lib/random'
import type { Application, ApplicationRequest, KeyValueStorage, Shop, UploadProgress } from './types'

/** Storage key of the mock's applications, media and shops. */
export const MOCK_ONBOARDING_STORAGE_KEY = 'wxpay.mock-onboarding.v1'

/** The order a review goes through when nothing goes wrong. */
export const MOCK_REVIEW_PATH: readonly Application['state'][] = ['submitting', 'checking', 'auditing', 'need_sign', 'finished']

/** Rejection reasons the mock uses when none are given. */
export const MOCK_REJECTIONS = [{ field: 'idCard.number', reason: '身份证号码与姓名不一致，请核对后重新提交' }]

interface Stored {
  application: Application
  requestId: string
  request: ApplicationRequest
}

interface Data {
  applications: Stored[]
  media: string[]
  shops: Shop[]
}

export interface MockOnboardingOptions {
  storage: KeyValueStorage
  now: () => number
  /** Latency and scripted failures of the mock backend, per method. */
  enter: (method: string) => Promise<void>
}

/** A picked photo's temporary path: with an image extension (mini-program), or an H5 blob URL (type unknown until uploaded). */
const IMAGE_PATH = /(\.(jpe?g|png|bmp)$)|^blob:/i
const REQUEST_ID = /^[A-Za-z0-9_-]{8,64}$/
const digits = (n: number): string => randomString(n, '0123456789')

/** The media ids a request refers to, by field path. */
function mediaFields(r: ApplicationRequest): Array<[string, string | undefined]> {
  return [
    ['businessLicense.copyMediaId', r.businessLicense?.copyMediaId],
    ['idCard.portraitMediaId', r.idCard?.portraitMediaId],
    ['idCard.nationalMediaId', r.idCard?.nationalMediaId],
    ['contact.authorizationLetterMediaId', r.contact?.authorizationLetterMediaId],
    ['store.qrCodeMediaId', r.store?.qrCodeMediaId],
  ]
}

const masked = (r: ApplicationRequest): Application['masked'] => ({
  idCardName: maskName(r.idCard.name),
  idCardNumber: maskIdNumber(r.idCard.number),
  accountNumber: maskAccount(r.bankAccount.accountNumber),
  mobile: maskMobile(r.contact.mobile),
})

/** Creates the onboarding half of the mock backend. */
export function createMockOnboarding({ storage, now, enter }: MockOnboardingOptions) {
  function load(): Data {
    try {
      const raw = storage.get(MOCK_ONBOARDING_STORAGE_KEY)
      if (raw) return JSON.parse(raw) as Data
    } catch {
      // start over on a corrupt entry
    }
    return { applications: [], media: [], shops: [] }
  }
  const save = (data: Data) => storage.set(MOCK_ONBOARDING_STORAGE_KEY, JSON.stringify(data))
  const iso = () => new Date(now()).toISOString()
  const copy = (a: Application): Application => JSON.parse(JSON.stringify(a)) as Application

  function find(data: Data, applicationNo: string): Stored {
    const found = data.applications.find((s) => s.application.applicationNo === applicationNo)
    if (!found) throw new AppError('APPLICATION_NOT_FOUND', ERROR_MESSAGES.APPLICATION_NOT_FOUND, applicationNo)
    return found
  }

  /** The contract's rules, plus: every photo must be one this backend issued. */
  function check(data: Data, request: ApplicationRequest) {
    if (!REQUEST_ID.test(String(request.requestId))) throw new AppError('BAD_REQUEST', ERROR_MESSAGES.BAD_REQUEST, 'requestId')
    const fields = validateApplication(request)
    for (const [field, id] of mediaFields(request)) {
      if (id && !data.media.includes(id) && !fields.some((f) => f.field === field)) fields.push({ field, message: '照片已失效，请重新上传' })
    }
    if (fields.length > 0) throw new AppError('INVALID_APPLICATION', ERROR_MESSAGES.INVALID_APPLICATION, `${fields.length} fields`, fields)
  }

  function moveTo(data: Data, stored: Stored, to: Application['state'], rejections?: Application['rejections']) {
    const a = stored.application
    a.state = to
    a.stateText = APPLICATION_STATE_TEXT[to]
    a.updatedAt = iso()
    delete a.rejections
    delete a.accountValidation
    delete a.signUrl
    if (to === 'rejected') a.rejections = rejections?.length ? rejections : MOCK_REJECTIONS
    if (to === 'account_need_verify') {
      a.accountValidation = {
        payAmount: 1,
        destinationAccountNumber: '7222223333322332',
        destinationAccountName: '财付通支付科技有限公司',
        destinationAccountBank: '招商银行深圳分行营业部',
        city: '深圳',
        remark: `${digits(6)}`,
        deadline: new Date(now() + 7 * 86_400_000).toISOString(),
      }
    }
    if (to === 'need_sign' || to === 'finished') a.subMchid ??= `19${digits(8)}`
    if (to === 'need_sign') a.signUrl = `https://pay.weixin.qq.com/public/apply4ec_sign/s?applymentId=${a.applicationNo}&sign=${randomString(32, '0123456789abcdef')}`
    if (to === 'finished' && !a.shopId) {
      a.shopId = `S${a.subMchid}`
      data.shops.push({ shopId: a.shopId, name: stored.request.store.name || a.merchantShortname })
    }
  }

  return {
    async uploadMedia(filePath: string, onProgress?: UploadProgress): Promise<string> {
      onProgress?.(0)
      await enter('uploadMedia')
      if (!IMAGE_PATH.test(filePath)) throw new AppError('INVALID_IMAGE', ERROR_MESSAGES.INVALID_IMAGE, filePath)
      onProgress?.(60)
      const data = load()
      const mediaId = `mock-media-${randomString(40)}`
      data.media.push(mediaId)
      save(data)
      onProgress?.(100)
      return mediaId
    },

    async createApplication(request: ApplicationRequest): Promise<Application> {
      await enter('createApplication')
      const data = load()
      const known = data.applications.find((s) => s.requestId === request.requestId)
      if (known) return copy(known.application)
      check(data, request)
      const stamp = iso()
      const application: Application = {
        applicationNo: `A${stamp.slice(0, 10).replace(/-/g, '')}${digits(8)}`,
        organizationType: request.organizationType,
        merchantShortname: request.merchantShortname,
        state: 'submitting',
        stateText: APPLICATION_STATE_TEXT.submitting,
        createdAt: stamp,
        updatedAt: stamp,
        masked: masked(request),
      }
      data.applications.push({ application, requestId: request.requestId, request })
      save(data)
      return copy(application)
    },

    async listApplications(): Promise<Application[]> {
      await enter('listApplications')
      return load().applications.map((s) => copy(s.application)).reverse()
    },

    async getApplication(applicationNo: string): Promise<Application> {
      await enter('getApplication')
      return copy(find(load(), applicationNo).application)
    },

    async resubmitApplication(applicationNo: string, request: ApplicationRequest): Promise<Application> {
      await enter('resubmitApplication')
      const data = load()
      const stored = find(data, applicationNo)
      if (stored.application.state !== 'rejected') {
        throw new AppError('APPLICATION_NOT_EDITABLE', ERROR_MESSAGES.APPLICATION_NOT_EDITABLE, stored.application.state)
      }
      check(data, request)
      stored.request = request
      stored.application.merchantShortname = request.merchantShortname
      stored.application.organizationType = request.organizationType
      stored.application.masked = masked(request)
      moveTo(data, stored, 'submitting')
      save(data)
      return copy(stored.application)
    },

    async getShop(shopId: string): Promise<Shop> {
      await enter('getShop')
      const shop = load().shops.find((s) => s.shopId === shopId)
      if (!shop) throw new AppError('SHOP_NOT_FOUND', ERROR_MESSAGES.SHOP_NOT_FOUND, shopId)
      return { ...shop }
    },

    /** Whether `shopId` names a shop that can take payments. */
    hasShop(shopId: string): boolean {
      return load().shops.some((s) => s.shopId === shopId)
    },

    /** Moves an application to `to` as WeChat Pay's review would (the dev buttons; tests). */
    async advanceApplication(applicationNo: string, to: Application['state'], rejections?: Application['rejections']): Promise<void> {
      const data = load()
      moveTo(data, find(data, applicationNo), to, rejections)
      save(data)
    },
  }
}
