/**
 * Fault injection (POST /__emulator/faults): upstream errors, refusals and latency on a route;
 * answers the client cannot trust or never gets although the request took effect; dropped,
 * duplicated or probed notifications; refunds that do not simply succeed.
 * Counters only: no randomness, so tests are deterministic.
 */
import { API_ERRORS, type ApiErrorCode, ControlError } from './errors'

/** How an answer is spoiled after the request was served (architecture.md §Emulator contract). */
export const ANSWER_FAULTS = ['unsigned', 'bad-signature', 'stale', 'signtest'] as const
export type AnswerFault = (typeof ANSWER_FAULTS)[number]

/** One armed fault of a route. */
export interface RouteFault {
  /** Answer this status instead of serving (429, 500, 502, 503, 504). */
  status?: number
  /** Refuse with this WeChat Pay code (its own status) after authentication, instead of serving. */
  code?: ApiErrorCode
  /** The refusal's message (default: WeChat Pay's usual text for `code`). */
  message?: string
  /** Delay the answer by this long (real ms). */
  latencyMs?: number
  /** Serve the request, then spoil the answer's signature. */
  answer?: AnswerFault
  /** Serve the request, then close the connection without any answer. */
  lose?: boolean
}

export interface NotifyFaults {
  /** The next N notifications are never sent (recorded as `dropped`). */
  drop: number
  /** The next N notifications are sent once more after they succeeded. */
  duplicate: number
  /** The next N notifications are preceded by a WECHATPAY/SIGNTEST/ probe. */
  signtest: number
}

/** How the next refunds end (consumed in this order: abnormal, closed, processing). */
export interface RefundFaults {
  /** The next N refunds end ABNORMAL (REFUND.ABNORMAL is notified). */
  abnormal: number
  /** The next N refunds end CLOSED (REFUND.CLOSED is notified; the amount is refundable again). */
  closed: number
  /** The next N refunds stay PROCESSING until POST /__emulator/refunds/:outRefundNo/settle. */
  processing: number
}

const FAULT_STATUSES = [429, 500, 502, 503, 504]

/** WeChat Pay's usual message for a refusal armed by code (wechatpay-service-provider.md §7). */
const REFUSAL_MESSAGES: Partial<Record<ApiErrorCode, string>> = {
  NOT_ENOUGH: '基本账户余额不足,请充值后重新发起',
  USER_ACCOUNT_ABNORMAL: '退款请求失败',
  NO_AUTH: '商户无权限',
  RULE_LIMIT: '申请退款金额大于剩余未分账金额,请等待分账完成后再试',
  FREQUENCY_LIMITED: '频率限制',
  SYSTEM_ERROR: '系统异常，请稍后重试',
  INVALID_REQUEST: 'HTTP 请求不符合微信支付 APIv3 接口规则',
  PARAM_ERROR: '参数错误',
}

/** The message a refusal armed with `code` carries. */
export const refusalMessage = (f: RouteFault): string => f.message ?? REFUSAL_MESSAGES[f.code as ApiErrorCode] ?? (f.code as string)

/** The status, code and message WeChat Pay answers for an upstream fault (wechatpay-v3.md §9). */
export const faultAnswer = (status: number) =>
  status === 429
    ? { status, code: 'FREQUENCY_LIMITED' as const, message: '频率超限' }
    : status === 500
      ? { status, code: 'SYSTEM_ERROR' as const, message: '系统繁忙，请稍后重试' }
      : { status, code: 'SERVICE_UNAVAILABLE' as const, message: '服务不可用，请稍后重试' }

const bad = (message: string) => new ControlError(400, 'BAD_REQUEST', message)

const count = (v: unknown, what: string): number => {
  if (v === undefined) return 0
  if (!Number.isInteger(v) || (v as number) < 0) throw bad(`${what} must be a non-negative integer`)
  return v as number
}

const counters = <K extends string>(v: Record<string, unknown>, key: string, names: readonly K[]): Record<K, number> => {
  for (const k of Object.keys(v)) if (!names.includes(k as K)) throw bad(`${key}.${k} is not a fault (known: ${names.join(', ')})`)
  return Object.fromEntries(names.map((n) => [n, count(v[n], `${key}.${n}`)])) as Record<K, number>
}

/** Validates one route fault spec. */
function routeFault(key: string, v: Record<string, unknown>): RouteFault & { remaining: number } {
  const f: RouteFault = {}
  if (v.status !== undefined) {
    if (!FAULT_STATUSES.includes(Number(v.status))) throw bad(`fault "${key}": status must be one of ${FAULT_STATUSES.join(', ')}`)
    f.status = Number(v.status)
  }
  if (v.code !== undefined) {
    if (typeof v.code !== 'string' || !(v.code in API_ERRORS) || v.code === 'SIGN_ERROR') throw bad(`fault "${key}": code must be a WeChat Pay error code (${Object.keys(API_ERRORS).filter((c) => c !== 'SIGN_ERROR').join(', ')})`)
    f.code = v.code as ApiErrorCode
  }
  if (v.message !== undefined) {
    if (typeof v.message !== 'string' || f.code === undefined) throw bad(`fault "${key}": message is a string and goes with code`)
    f.message = v.message
  }
  if (v.latencyMs !== undefined) f.latencyMs = count(v.latencyMs, `${key}.latencyMs`)
  if (v.answer !== undefined) {
    if (!ANSWER_FAULTS.includes(v.answer as AnswerFault)) throw bad(`fault "${key}": answer must be one of ${ANSWER_FAULTS.join(', ')}`)
    f.answer = v.answer as AnswerFault
  }
  if (v.lose !== undefined) {
    if (v.lose !== true) throw bad(`fault "${key}": lose must be true`)
    f.lose = true
  }
  const outcomes = [f.status, f.code, f.answer, f.lose].filter((x) => x !== undefined).length
  if (outcomes > 1) throw bad(`fault "${key}": status, code, answer and lose exclude each other`)
  if (outcomes === 0 && f.latencyMs === undefined) throw bad(`fault "${key}" needs status, code, answer, lose or latencyMs`)
  return { ...f, remaining: v.times === undefined ? 1 : count(v.times, `${key}.times`) }
}

export class Faults {
  private readonly routes = new Map<string, RouteFault & { remaining: number }>()
  readonly notify: NotifyFaults = { drop: 0, duplicate: 0, signtest: 0 }
  readonly refund: RefundFaults = { abnormal: 0, closed: 0, processing: 0 }

  /** Applies a spec such as `{ "POST /v3/pay/transactions/jsapi": { status: 500, times: 2 }, notify: { drop: 1 }, refund: { abnormal: 1 } }`. */
  apply(spec: unknown): void {
    if (!spec || typeof spec !== 'object' || Array.isArray(spec)) throw bad('faults must be an object')
    // Validate everything before changing anything.
    const routeUpdates: Array<[string, RouteFault & { remaining: number }]> = []
    let notifyUpdate: NotifyFaults | undefined
    let refundUpdate: RefundFaults | undefined
    let reset = false
    for (const [key, value] of Object.entries(spec as Record<string, unknown>)) {
      if (key === 'reset') {
        reset = value === true
        continue
      }
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw bad(`fault "${key}" must be an object`)
      const v = value as Record<string, unknown>
      if (key === 'notify') notifyUpdate = counters(v, 'notify', ['drop', 'duplicate', 'signtest'] as const)
      else if (key === 'refund') refundUpdate = counters(v, 'refund', ['abnormal', 'closed', 'processing'] as const)
      else if (!/^(GET|POST|PUT|PATCH|DELETE) \/\S*$/.test(key) && key !== '*') {
        throw bad(`fault key "${key}" must be "METHOD /path" (route pattern or concrete path), "*", "notify" or "refund"`)
      } else routeUpdates.push([key, routeFault(key, v)])
    }
    if (reset) this.reset()
    for (const [key, f] of routeUpdates) {
      if (f.remaining === 0) this.routes.delete(key)
      else this.routes.set(key, f)
    }
    if (notifyUpdate) Object.assign(this.notify, notifyUpdate)
    if (refundUpdate) Object.assign(this.refund, refundUpdate)
  }

  reset(): void {
    this.routes.clear()
    Object.assign(this.notify, { drop: 0, duplicate: 0, signtest: 0 })
    Object.assign(this.refund, { abnormal: 0, closed: 0, processing: 0 })
  }

  /** Takes one use of the fault matching this call (route pattern first, then concrete path, then "*"). */
  take(method: string, routePattern: string | undefined, path: string): RouteFault | undefined {
    for (const key of [`${method} ${routePattern}`, `${method} ${path}`, '*']) {
      const f = this.routes.get(key)
      if (!f) continue
      f.remaining -= 1
      if (f.remaining <= 0) this.routes.delete(key)
      const { remaining: _remaining, ...fault } = f
      return fault
    }
    return undefined
  }

  /** Consumes one unit of a notification fault, if any is set. */
  takeNotify(kind: keyof NotifyFaults): boolean {
    if (this.notify[kind] <= 0) return false
    this.notify[kind] -= 1
    return true
  }

  /** How a new refund ends: ABNORMAL, CLOSED or held PROCESSING when armed, else undefined (SUCCESS). */
  takeRefundOutcome(): 'ABNORMAL' | 'CLOSED' | 'PROCESSING' | undefined {
    const order = [['abnormal', 'ABNORMAL'], ['closed', 'CLOSED'], ['processing', 'PROCESSING']] as const
    for (const [kind, outcome] of order) {
      if (this.refund[kind] > 0) {
        this.refund[kind] -= 1
        return outcome
      }
    }
    return undefined
  }

  /** What is armed now (GET /__emulator/faults). */
  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const [k, f] of this.routes) {
      const { remaining, ...fault } = f
      out[k] = { ...fault, times: remaining }
    }
    out.notify = { ...this.notify }
    out.refund = { ...this.refund }
    return out
  }
}
