/**
 * Fault injection (POST /__emulator/faults): upstream errors and latency on a route, and dropped,
 * duplicated or probed notifications. Counters only: no randomness, so tests are deterministic.
 */
import { ControlError } from './errors'

export interface RouteFault {
  /** Answer this status instead of serving (429, 500, 502, 503, 504). */
  status?: number
  /** Delay the answer by this long (real ms). */
  latencyMs?: number
  /** How many calls the fault lasts (default 1; 0 clears it). */
  times?: number
}

export interface NotifyFaults {
  /** The next N notifications are never sent (recorded as `dropped`). */
  drop: number
  /** The next N notifications are sent once more after they succeeded. */
  duplicate: number
  /** The next N notifications are preceded by a WECHATPAY/SIGNTEST/ probe. */
  signtest: number
}

const FAULT_STATUSES = [429, 500, 502, 503, 504]

/** The status, code and message WeChat Pay answers for an upstream fault (wechatpay-v3.md §9). */
export const faultAnswer = (status: number) =>
  status === 429
    ? { status, code: 'FREQUENCY_LIMITED' as const, message: '频率超限' }
    : status === 500
      ? { status, code: 'SYSTEM_ERROR' as const, message: '系统繁忙，请稍后重试' }
      : { status, code: 'SERVICE_UNAVAILABLE' as const, message: '服务不可用，请稍后重试' }

const count = (v: unknown, what: string): number => {
  if (v === undefined) return 0
  if (!Number.isInteger(v) || (v as number) < 0) throw new ControlError(400, 'BAD_REQUEST', `${what} must be a non-negative integer`)
  return v as number
}

export class Faults {
  private readonly routes = new Map<string, { status?: number; latencyMs?: number; remaining: number }>()
  readonly notify: NotifyFaults = { drop: 0, duplicate: 0, signtest: 0 }

  /** Applies a spec such as `{ "POST /v3/pay/transactions/jsapi": { status: 500, times: 2 }, notify: { drop: 1 } }`. */
  apply(spec: unknown): void {
    if (!spec || typeof spec !== 'object' || Array.isArray(spec)) throw new ControlError(400, 'BAD_REQUEST', 'faults must be an object')
    const entries = Object.entries(spec as Record<string, unknown>)
    // Validate everything before changing anything.
    const routeUpdates: Array<[string, { status?: number; latencyMs?: number; remaining: number }]> = []
    let notifyUpdate: Partial<NotifyFaults> | undefined
    let reset = false
    for (const [key, value] of entries) {
      if (key === 'reset') {
        reset = value === true
        continue
      }
      if (!value || typeof value !== 'object') throw new ControlError(400, 'BAD_REQUEST', `fault "${key}" must be an object`)
      const v = value as Record<string, unknown>
      if (key === 'notify') {
        notifyUpdate = { drop: count(v.drop, 'notify.drop'), duplicate: count(v.duplicate, 'notify.duplicate'), signtest: count(v.signtest, 'notify.signtest') }
        continue
      }
      if (!/^(GET|POST|PUT|PATCH|DELETE) \/\S*$/.test(key) && key !== '*') {
        throw new ControlError(400, 'BAD_REQUEST', `fault key "${key}" must be "METHOD /path" (route pattern or concrete path), "*" or "notify"`)
      }
      const status = v.status === undefined ? undefined : Number(v.status)
      if (status !== undefined && !FAULT_STATUSES.includes(status)) {
        throw new ControlError(400, 'BAD_REQUEST', `fault "${key}": status must be one of ${FAULT_STATUSES.join(', ')}`)
      }
      const latencyMs = v.latencyMs === undefined ? undefined : count(v.latencyMs, `${key}.latencyMs`)
      if (status === undefined && latencyMs === undefined) throw new ControlError(400, 'BAD_REQUEST', `fault "${key}" needs status or latencyMs`)
      const times = v.times === undefined ? 1 : count(v.times, `${key}.times`)
      routeUpdates.push([key, { status, latencyMs, remaining: times }])
    }
    if (reset) this.reset()
    for (const [key, f] of routeUpdates) {
      if (f.remaining === 0) this.routes.delete(key)
      else this.routes.set(key, f)
    }
    if (notifyUpdate) Object.assign(this.notify, notifyUpdate)
  }

  reset(): void {
    this.routes.clear()
    Object.assign(this.notify, { drop: 0, duplicate: 0, signtest: 0 })
  }

  /** Takes one use of the fault matching this call (route pattern first, then concrete path, then "*"). */
  take(method: string, routePattern: string | undefined, path: string): { status?: number; latencyMs?: number } | undefined {
    for (const key of [`${method} ${routePattern}`, `${method} ${path}`, '*']) {
      const f = this.routes.get(key)
      if (!f) continue
      f.remaining -= 1
      if (f.remaining <= 0) this.routes.delete(key)
      return { status: f.status, latencyMs: f.latencyMs }
    }
    return undefined
  }

  /** Consumes one unit of a notification fault, if any is set. */
  takeNotify(kind: keyof NotifyFaults): boolean {
    if (this.notify[kind] <= 0) return false
    this.notify[kind] -= 1
    return true
  }

  /** What is armed now (GET /__emulator/faults). */
  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const [k, f] of this.routes) out[k] = { status: f.status, latencyMs: f.latencyMs, times: f.remaining }
    out.notify = { ...this.notify }
    return out
  }
}
