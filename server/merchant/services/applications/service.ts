/**
 * Onboarding applications (二级商户进件, platform.md): stored sealed before WeChat Pay is called,
 * idempotent by out_request_no, refreshed on read (throttled) and by the reconciler; `finished`
 * creates the shop. Personal data is opened only to build the applyment and the masked view.
 */
import { randomInt } from 'node:crypto'
import { WechatPayError } from '../../../wechatpay'
import type { ApplymentStatus } from '../../../wechatpay/applyments'
import { AppError } from '../../errors'
import { FINAL_APPLICATION_STATES, type ApplicationRecord, type ApplicationState, type Storage, type UserRecord } from '../../storage'
import type { Logger } from '../orders'
import type { OnboardingGateway } from './gateway'
import { checkApplication } from './check'
import type { Sealer } from './sealed'
import type { ApplicationInput } from './types'
import { toApplicationView, type AccountValidationView, type ApplicationView } from './view'
import { fieldOf, stateOf } from './wire'

/** GET of a non-final application asks WeChat Pay at most this often. */
export const APPLICATION_QUERY_THROTTLE_MS = 10_000
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ'

export interface ApplicationServiceOptions {
  storage: Storage
  gateway: OnboardingGateway
  sealer: Sealer
  clock: () => number
  logger: Logger
  random?: (max: number) => number
}

const beijingDigits = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace(/\D/g, '')
const isFinal = (s: ApplicationState) => FINAL_APPLICATION_STATES.includes(s)
/** WeChat Pay definitely refused (a 4xx other than 401); anything else may have been received. */
const refusedOutright = (e: unknown): e is WechatPayError => e instanceof WechatPayError && !e.retryable && e.status >= 400 && e.status < 500 && e.status !== 401
const detailField = (e: WechatPayError) => {
  const d = e.detail as { field?: unknown } | undefined
  return typeof d?.field === 'string' ? fieldOf(d.field) : ''
}

const beijingDate = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10)
/** The onboarding service: create, list, read, resubmit, reconcile; and the shops it creates. */
export function createApplicationService(o: ApplicationServiceOptions) {
  const { storage, gateway, sealer, clock, logger } = o
  const random = o.random ?? randomInt
  /**
   * Serialises WeChat Pay work on one application (double taps, reader vs. reconciler, other
   * processes): the storage's key lock, under keys that never collide with order numbers.
   */
  const withLock = <T>(no: string, fn: () => Promise<T>) => storage.withLock(`application:${no}`, fn)
  const newId = (prefix: string) => {
    let tail = ''
    for (let i = 0; i < 8; i++) tail += ALPHABET[random(ALPHABET.length)]
    return `${prefix}${beijingDigits(clock())}${tail}`
  }
  const mustApplication = async (no: string) => (await storage.applications.get(no)) as ApplicationRecord
  const own = async (user: UserRecord, no: string) => {
    const a = await storage.applications.get(no)
    // Another user's application is indistinguishable from a missing one.
    if (!a || a.userId !== user.id) throw new AppError('APPLICATION_NOT_FOUND', 'no such application')
    return a
  }
  const open = (a: ApplicationRecord) => JSON.parse(sealer.open(a.sealed, a.applicationNo)) as ApplicationInput
  const view = (a: ApplicationRecord): ApplicationView => {
    try {
      return toApplicationView(a, open(a))
    } catch {
      // Another DATA_ENCRYPTION_KEY than the one it was sealed with: show the rest, say so loudly.
      logger.error({ applicationNo: a.applicationNo }, 'cannot open the sealed application: was DATA_ENCRYPTION_KEY changed?')
      return toApplicationView(a, null)
    }
  }

  /** Sends (or resends, same out_request_no) a `submitting` application and records the outcome. */
  async function send(a: ApplicationRecord): Promise<ApplicationRecord> {
    const resubmission = a.applymentId !== null
    try {
      const { applymentId } = await gateway.submit(a.outRequestNo, open(a))
      await storage.transaction(async () => {
        if ((await mustApplication(a.applicationNo)).state !== 'submitting') return
        await storage.applications.update(a.applicationNo, { applymentId, state: 'checking', stateDesc: null, rejections: null, updatedAt: clock() })
      })
      logger.info({ applicationNo: a.applicationNo, applymentId }, resubmission ? 'application resubmitted' : 'application submitted')
    } catch (e) {
      if (refusedOutright(e)) {
        // A refused resubmission leaves WeChat Pay's application rejected: the applicant fixes it again.
        const state: ApplicationState = resubmission ? 'rejected' : 'failed'
        const rejections = JSON.stringify([{ field: detailField(e), reason: e.message }])
        await storage.applications.update(a.applicationNo, { state, stateDesc: e.message, rejections, updatedAt: clock() })
        logger.warn({ applicationNo: a.applicationNo, code: e.code, status: e.status, state }, 'WeChat Pay refused the application')
      } else {
        const code = e instanceof WechatPayError ? e.code : 'ERROR'
        logger.warn({ applicationNo: a.applicationNo, code }, 'application outcome unknown; it stays submitting and is resent with the same out_request_no')
      }
    }
    return mustApplication(a.applicationNo)
  }

  /** Records what WeChat Pay says about an application; `finished` creates its shop (once). */
  async function applyStatus(a: ApplicationRecord, s: ApplymentStatus): Promise<void> {
    const state = stateOf(s) ?? a.state // one real answer carried no state: keep ours
    const v = s.account_validation
    const accountValidation: AccountValidationView | null = state === 'account_need_verify' && v && typeof v.pay_amount === 'number'
      ? {
          payAmount: v.pay_amount,
          destinationAccountNumber: v.destination_account_number ?? '',
          destinationAccountName: v.destination_account_name ?? '',
          destinationAccountBank: v.destination_account_bank ?? '',
          ...(v.city ? { city: v.city } : {}),
          ...(v.remark ? { remark: v.remark } : {}),
          ...(v.deadline ? { deadline: v.deadline } : {}),
        }
      : null
    const rejections = (state === 'rejected' || state === 'frozen') && s.audit_detail?.length
      ? JSON.stringify(s.audit_detail.map((d) => ({ field: fieldOf(d.param_name), reason: d.reject_reason ?? '' })))
      : null
    await storage.transaction(async () => {
      const fresh = await mustApplication(a.applicationNo)
      if (fresh.state === 'submitting' || isFinal(fresh.state)) return // a resend is under way, or nothing can change
      let shopId = fresh.shopId
      const subMchid = s.sub_mchid ?? fresh.subMchid
      if (state === 'finished' && !shopId && subMchid) {
        const existing = await storage.shops.findBySubMchid(subMchid)
        shopId = existing?.shopId ?? newId('S')
        if (!existing) {
          const input = open(fresh)
          await storage.shops.insert({ shopId, subMchid, name: fresh.merchantShortname, subAppId: input.store.miniProgramSubAppid ?? null, applicationNo: fresh.applicationNo, createdAt: clock() })
        }
      }
      await storage.applications.update(a.applicationNo, {
        state,
        stateDesc: s.applyment_state_desc ?? null,
        subMchid,
        shopId,
        signUrl: state === 'need_sign' ? s.sign_url ?? null : null,
        legalValidationUrl: state === 'account_need_verify' ? s.legal_validation_url ?? null : null,
        accountValidation: accountValidation ? JSON.stringify(accountValidation) : null,
        rejections,
        updatedAt: fresh.state === state ? fresh.updatedAt : clock(),
      })
      if (fresh.state !== state) logger.info({ applicationNo: a.applicationNo, from: fresh.state, to: state, shopId }, 'application state changed')
    })
  }

  /** Brings one application up to date with WeChat Pay: resends a submitting one, queries the others (throttled). */
  async function refresh(no: string, minIntervalMs: number): Promise<ApplicationRecord> {
    const a = await mustApplication(no)
    if (isFinal(a.state)) return a
    const now = clock()
    if (a.lastQueriedAt !== null && now - a.lastQueriedAt < minIntervalMs) return a
    await storage.applications.update(no, { lastQueriedAt: now })
    if (a.state === 'submitting') return send(a)
    try {
      await applyStatus(a, await gateway.query(a.outRequestNo))
    } catch (e) {
      logger.warn({ applicationNo: no, code: e instanceof WechatPayError ? e.code : 'ERROR' }, 'application query failed')
    }
    return mustApplication(no)
  }

  /** An application stored before (same user + requestId): a submitting one is sent first, under its lock. */
  async function replay(existing: ApplicationRecord): Promise<{ application: ApplicationView; replayed: true }> {
    const a = existing.state === 'submitting' ? await withLock(existing.applicationNo, () => refresh(existing.applicationNo, 0)) : existing
    return { application: view(a), replayed: true }
  }

  return {
    /** Stores an application (sealed) and submits it; same user + requestId = the same application. */
    async create(user: UserRecord, body: unknown): Promise<{ application: ApplicationView; replayed: boolean }> {
      const input = checkApplication(body, beijingDate(clock()))
      const existing = await storage.applications.findByRequest(user.id, input.requestId)
      if (existing) return replay(existing)
      const now = clock()
      const applicationNo = newId('A')
      const record: ApplicationRecord = {
        applicationNo,
        userId: user.id,
        requestId: input.requestId,
        outRequestNo: applicationNo,
        organizationType: input.organizationType,
        merchantShortname: input.merchantShortname,
        state: 'submitting',
        stateDesc: null,
        applymentId: null,
        subMchid: null,
        shopId: null,
        signUrl: null,
        legalValidationUrl: null,
        accountValidation: null,
        rejections: null,
        sealed: sealer.seal(JSON.stringify(input), applicationNo),
        createdAt: now,
        updatedAt: now,
        lastQueriedAt: null,
      }
      try {
        await storage.applications.insert(record)
      } catch (e) {
        // The same requestId twice at once: UNIQUE (user_id, request_id) let one insert through.
        const raced = await storage.applications.findByRequest(user.id, input.requestId)
        if (raced) return replay(raced)
        throw e
      }
      logger.info({ applicationNo, organizationType: input.organizationType }, 'application stored')
      // A replay of the same requestId may have taken the lock first and sent it already: send only a submitting one.
      const sent = await withLock(applicationNo, async () => {
        const a = await mustApplication(applicationNo)
        return a.state === 'submitting' ? send(a) : a
      })
      return { application: view(sent), replayed: false }
    },

    /** Replaces a rejected application's body and resubmits it with the same out_request_no. */
    async resubmit(user: UserRecord, no: string, body: unknown): Promise<ApplicationView> {
      const input = checkApplication(body, beijingDate(clock()))
      await own(user, no)
      return withLock(no, async () => {
        const a = await mustApplication(no)
        if (a.state !== 'rejected') throw new AppError('APPLICATION_NOT_EDITABLE', `the application is ${a.state}; only a rejected one can be changed`)
        const patch = {
          organizationType: input.organizationType,
          merchantShortname: input.merchantShortname,
          sealed: sealer.seal(JSON.stringify(input), no),
          state: 'submitting' as const,
          stateDesc: null,
          rejections: null,
          updatedAt: clock(),
          lastQueriedAt: clock(),
        }
        await storage.applications.update(no, patch)
        return view(await send(await mustApplication(no)))
      })
    },

    /** The caller's applications, newest first. */
    list: async (user: UserRecord, limit = 50): Promise<ApplicationView[]> => (await storage.applications.listByUser(user.id, limit)).map(view),

    /** Every application, newest first (admin). */
    listAll: async (limit = 200): Promise<ApplicationView[]> => (await storage.applications.listAll(limit)).map(view),

    /** One of the caller's applications; a non-final one is first refreshed from WeChat Pay (at most every 10 s). */
    async get(user: UserRecord, no: string): Promise<ApplicationView> {
      const a = await own(user, no)
      if (isFinal(a.state)) return view(a)
      return view(await withLock(no, () => refresh(no, APPLICATION_QUERY_THROTTLE_MS)))
    },

    /** One reconciliation pass: resends submitting applications and follows the others until final. */
    async reconcile(limit = 100): Promise<{ checked: number; finished: number }> {
      const candidates = await storage.applications.listOpen(limit)
      let finished = 0
      for (const c of candidates) {
        const a = await withLock(c.applicationNo, () => refresh(c.applicationNo, 0)).catch((e: Error) => {
          logger.warn({ applicationNo: c.applicationNo, err: e.message }, 'reconciliation of an application failed; next pass retries')
          return null
        })
        if (a?.state === 'finished') finished++
      }
      return { checked: candidates.length, finished }
    },
  }
}

export type ApplicationService = ReturnType<typeof createApplicationService>
