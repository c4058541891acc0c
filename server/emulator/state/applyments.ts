/**
 * E-commerce sub-merchant applyments (wechatpay-service-provider.md §1.2–§1.5): submission with
 * idempotency by out_request_no, the state machine of §1.4 (control API or automatic progress on
 * the emulated clock), the query body, and binding a finished sub_mchid to the provider.
 */
import { createHash } from 'node:crypto'
import type { EmulatorContext } from '../context'
import { ApiError } from '../errors'
import { rfc3339 } from '../../wechatpay'
import { encryptForMerchant } from './applyment-crypto'
import type { ApplymentRecord, ApplymentState, MerchantRecord } from './types'

export const APPLYMENT_STATE_DESC: Record<ApplymentState, string> = {
  CHECKING: '资料校验中',
  ACCOUNT_NEED_VERIFY: '待账户验证',
  AUDITING: '审核中',
  REJECTED: '已驳回',
  NEED_SIGN: '待签约',
  FINISH: '完成',
  FROZEN: '已冻结',
  CANCELED: '已作废',
}

/** §1.4 (UNCONFIRMED as exhaustive). REJECTED → CHECKING happens only by resubmitting the same out_request_no. */
export const TRANSITIONS: Record<ApplymentState, ApplymentState[]> = {
  CHECKING: ['ACCOUNT_NEED_VERIFY', 'AUDITING', 'REJECTED', 'FROZEN', 'CANCELED'],
  ACCOUNT_NEED_VERIFY: ['AUDITING', 'FROZEN', 'CANCELED'],
  AUDITING: ['NEED_SIGN', 'REJECTED', 'FROZEN', 'CANCELED'],
  REJECTED: ['FROZEN', 'CANCELED'],
  NEED_SIGN: ['FINISH', 'FROZEN', 'CANCELED'],
  FINISH: [],
  FROZEN: ['CANCELED'],
  CANCELED: [],
}

/** The six states revoke accepts. */
export const REVOCABLE: ApplymentState[] = ['CHECKING', 'ACCOUNT_NEED_VERIFY', 'AUDITING', 'REJECTED', 'NEED_SIGN', 'FROZEN']

/** The automatic happy path (`applymentAutoMs` > 0): each state lasts that long, then moves on. */
const AUTO_NEXT: Partial<Record<ApplymentState, ApplymentState>> = { CHECKING: 'AUDITING', ACCOUNT_NEED_VERIFY: 'AUDITING', AUDITING: 'NEED_SIGN', NEED_SIGN: 'FINISH' }

const DEFAULT_REJECTION = [{ param_name: 'id_card_copy', reject_reason: '身份证人像面照片不清晰，请上传清晰完整的身份证照片' }]
const ACCOUNT_VERIFY_DAYS = 10

/** An illegal state change asked through the control API. */
export class TransitionError extends Error {}

const keyOf = (mchid: string, outRequestNo: string) => `${mchid}:${outRequestNo}`

function newApplymentId(ctx: EmulatorContext): number {
  const used = new Set(Object.values(ctx.store.data.applyments).map((a) => a.applymentId))
  for (;;) {
    const id = Number(ctx.newId('2000002', 9)) // 16 digits, below 2^53
    if (!used.has(id)) return id
  }
}

function newSubMchid(ctx: EmulatorContext): string {
  const data = ctx.store.data
  const taken = new Set<string>([...Object.keys(data.merchants), ...Object.values(data.merchants).flatMap((m) => Object.keys(m.subMchids))])
  for (const a of Object.values(data.applyments)) if (a.subMchid) taken.add(a.subMchid)
  for (;;) {
    const id = ctx.newId('16', 8)
    if (!taken.has(id)) return id
  }
}

/**
 * Stores a validated, decrypted applyment. The same out_request_no answers the existing applyment
 * unless it was REJECTED, in which case the new body overwrites it and it goes back to CHECKING.
 */
export function submitApplyment(ctx: EmulatorContext, merchant: MerchantRecord, request: Record<string, unknown>, decrypted: Record<string, string>): ApplymentRecord {
  const data = ctx.store.data
  const outRequestNo = request.out_request_no as string
  const key = keyOf(merchant.mchid, outRequestNo)
  const existing = data.applyments[key]
  const now = ctx.now()
  if (existing && existing.state !== 'REJECTED') return existing
  const record: ApplymentRecord = {
    applymentId: existing?.applymentId ?? newApplymentId(ctx),
    mchid: merchant.mchid,
    outRequestNo,
    organizationType: request.organization_type as string,
    state: 'CHECKING',
    stateSince: now,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    request,
    decrypted,
    auditDetail: [],
  }
  data.applyments[key] = record
  ctx.store.save()
  return record
}

/** Moves an applyment to `to` if §1.4 allows it; NEED_SIGN gives it a sub_mchid, FINISH binds that to the provider. */
export function transition(ctx: EmulatorContext, a: ApplymentRecord, to: ApplymentState, opts: { auditDetail?: ApplymentRecord['auditDetail']; at?: number } = {}): ApplymentRecord {
  if (!TRANSITIONS[a.state].includes(to)) {
    throw new TransitionError(`applyment ${a.applymentId} is ${a.state}; ${to} is not reachable from it (allowed: ${TRANSITIONS[a.state].join(', ') || 'none'})`)
  }
  a.state = to
  a.stateSince = opts.at ?? ctx.now()
  a.updatedAt = a.stateSince
  if (to === 'REJECTED') a.auditDetail = opts.auditDetail?.length ? opts.auditDetail : DEFAULT_REJECTION
  else if (to === 'FROZEN') a.auditDetail = opts.auditDetail ?? []
  else a.auditDetail = []
  if (to === 'ACCOUNT_NEED_VERIFY') a.payAmount = 1 + Math.floor(ctx.random() * 99)
  if (to === 'NEED_SIGN' || to === 'FINISH') a.subMchid ??= newSubMchid(ctx)
  if (to === 'FINISH') bind(ctx, a)
  ctx.store.save()
  return a
}

/** The finished applyment's sub_mchid takes partner orders for its provider (with mini_program_sub_appid as its appid). */
function bind(ctx: EmulatorContext, a: ApplymentRecord): void {
  const merchant = ctx.store.data.merchants[a.mchid]
  if (!merchant || !a.subMchid) return
  Object.assign(merchant.subMchids, boundSubMchids(ctx, a.mchid))
}

/** The sub-merchants this provider gained through finished applyments (kept when the provider is registered again). */
export function boundSubMchids(ctx: EmulatorContext, mchid: string): MerchantRecord['subMchids'] {
  const out: MerchantRecord['subMchids'] = {}
  for (const a of Object.values(ctx.store.data.applyments)) {
    if (a.mchid !== mchid || a.state !== 'FINISH' || !a.subMchid) continue
    const appId = (a.request.sales_scene_info as { mini_program_sub_appid?: string } | undefined)?.mini_program_sub_appid
    out[a.subMchid] = { appIds: appId ? [appId] : [] }
  }
  return out
}

/** Applies automatic progress due on the emulated clock (no-op when `applymentAutoMs` is 0). */
export function refreshApplyment(ctx: EmulatorContext, a: ApplymentRecord): ApplymentRecord {
  const step = ctx.options.applymentAutoMs
  if (!step) return a
  for (let next = AUTO_NEXT[a.state]; next && ctx.now() >= a.stateSince + step; next = AUTO_NEXT[a.state]) {
    transition(ctx, a, next, { at: a.stateSince + step })
  }
  return a
}

/** The applyment a query names, scoped to the calling provider, or 404. */
export function findApplyment(ctx: EmulatorContext, mchid: string, by: { applymentId?: string; outRequestNo?: string }): ApplymentRecord {
  const data = ctx.store.data
  const found =
    by.outRequestNo !== undefined
      ? data.applyments[keyOf(mchid, by.outRequestNo)]
      : Object.values(data.applyments).find((a) => a.mchid === mchid && String(a.applymentId) === by.applymentId)
  if (!found) throw new ApiError('RESOURCE_NOT_EXISTS', '申请单不存在', { location: 'path', issue: 'no applyment of this merchant matches' })
  return refreshApplyment(ctx, found)
}

const signStateOf = (s: ApplymentState) => (s === 'FINISH' ? 'SIGNED' : s === 'NEED_SIGN' || s === 'AUDITING' || s === 'ACCOUNT_NEED_VERIFY' ? 'UNSIGNED' : 'NOT_SIGNABLE')
const token = (a: ApplymentRecord, what: string) => createHash('sha256').update(`${what}:${a.applymentId}:${a.stateSince}`).digest('hex').slice(0, 32)

/** GET /v3/ecommerce/applyments/{applyment_id} and /out-request-no/{out_request_no} (§1.3). */
export function applymentQueryView(ctx: EmulatorContext, a: ApplymentRecord): Record<string, unknown> {
  const merchant = ctx.store.data.merchants[a.mchid]
  const body: Record<string, unknown> = {
    applyment_id: a.applymentId,
    out_request_no: a.outRequestNo,
    applyment_state: a.state,
    applyment_state_desc: APPLYMENT_STATE_DESC[a.state],
    sign_state: signStateOf(a.state),
  }
  if (a.state === 'NEED_SIGN') body.sign_url = `https://pay.weixin.qq.com/public/apply4ec_sign/s?applymentId=${a.applymentId}&sign=${token(a, 'sign')}`
  if ((a.state === 'NEED_SIGN' || a.state === 'FINISH') && a.subMchid) body.sub_mchid = a.subMchid
  if (a.state === 'ACCOUNT_NEED_VERIFY' && merchant) {
    const personal = (a.request.account_info as { bank_account_type?: string }).bank_account_type === '75'
    body.account_validation = {
      account_name: encryptForMerchant(merchant, ctx, a.decrypted['/account_info/account_name'] ?? ''),
      ...(personal ? { account_no: encryptForMerchant(merchant, ctx, a.decrypted['/account_info/account_number'] ?? '') } : {}),
      pay_amount: a.payAmount ?? 1,
      destination_account_number: '7222223333322332',
      destination_account_name: '财付通支付科技有限公司',
      destination_account_bank: '招商银行威盛大厦支行',
      city: '深圳',
      remark: `入驻账户验证${String(a.applymentId).slice(-6)}`,
      deadline: rfc3339(a.stateSince + ACCOUNT_VERIFY_DAYS * 24 * 3600 * 1000),
    }
    body.legal_validation_url = `https://pay.weixin.qq.com/public/apply4ec_sign/legal?applymentId=${a.applymentId}&sign=${token(a, 'legal')}`
  }
  // Real NEED_SIGN answers carry `audit_detail: []`; the reasons appear when REJECTED or FROZEN.
  body.audit_detail = a.state === 'REJECTED' || a.state === 'FROZEN' ? a.auditDetail : []
  return body
}

/** The control API's view (GET /__emulator/applyments). */
export function applymentControlView(a: ApplymentRecord): Record<string, unknown> {
  return {
    applymentId: a.applymentId,
    outRequestNo: a.outRequestNo,
    mchid: a.mchid,
    organizationType: a.organizationType,
    state: a.state,
    ...(a.subMchid ? { subMchid: a.subMchid } : {}),
    auditDetail: a.auditDetail,
    createdAt: new Date(a.createdAt).toISOString(),
    updatedAt: new Date(a.updatedAt).toISOString(),
    request: a.request,
    decrypted: a.decrypted,
  }
}
