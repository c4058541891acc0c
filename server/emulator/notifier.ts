/**
 * Delivers notifications the way WeChat Pay does (wechatpay-v3.md §8): a signed, AES-GCM
 * encrypted POST to notify_url; only 200/204 within the timeout counts; otherwise retried on the
 * real schedule (scaled by retryScale); every attempt is recorded with its exact headers and body.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { buildNotification, rfc3339, signWechatpayMessage } from '../wechatpay'
import type { EmulatorContext } from './context'
import type { Faults } from './faults'
import { MAX_DELIVERIES } from './state/store'
import type { DeliveryRecord, MerchantRecord, NotificationJob } from './state/types'

/** Seconds between attempts after a failure: 15 retries, 24 h 4 min in all (wechatpay-v3.md §8). */
export const RETRY_INTERVALS_S = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600] as const

/** WeChat Pay's notifier identifies itself like this. */
const NOTIFY_USER_AGENT = 'Mozilla/4.0'
const MAX_TIMER_MS = 2 ** 31 - 1
const RESPONSE_BODY_LIMIT = 2048

export type NewNotification = Omit<NotificationJob, 'id' | 'createdAt' | 'attempts' | 'nextAt' | 'done' | 'probe' | 'duplicate' | 'body'> & {
  /** Emulated ms of the first attempt (default now). */
  at?: number
}

export class Notifier {
  private timer: NodeJS.Timeout | null = null
  private readonly inFlight = new Map<string, Promise<void>>()
  private closed = false

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly faults: Faults,
    /** Called just before a job's attempt is due (e.g. settle the refund it reports). */
    private readonly onDue: (job: NotificationJob) => void = () => {},
  ) {}

  /** Queues a notification; the first attempt goes out as soon as it is due. */
  enqueue(n: NewNotification): NotificationJob {
    const now = this.ctx.now()
    const { at, ...rest } = n
    const probe = this.faults.takeNotify('signtest') || (this.ctx.options.signtestRate > 0 && this.ctx.random() < this.ctx.options.signtestRate)
    const job: NotificationJob = {
      ...rest,
      id: randomUUID(),
      createdAt: now,
      attempts: 0,
      nextAt: at ?? now,
      done: false,
      probe,
      duplicate: this.faults.takeNotify('duplicate'),
    }
    this.ctx.store.data.notifications[job.id] = job
    this.ctx.store.save()
    this.kick()
    return job
  }

  /** Runs every due attempt and sets the timer for the next one (after enqueue or a clock change). */
  kick(): void {
    if (this.closed) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const now = this.ctx.now()
    let next = Infinity
    for (const job of Object.values(this.ctx.store.data.notifications)) {
      if (job.done || this.inFlight.has(job.id)) continue
      if (job.nextAt <= now) {
        const run = this.attempt(job)
          .catch((e: unknown) => this.failed(job, e))
          .finally(() => {
            this.inFlight.delete(job.id)
            this.kick()
          })
        this.inFlight.set(job.id, run)
      } else next = Math.min(next, job.nextAt)
    }
    if (next !== Infinity) {
      this.timer = setTimeout(() => this.kick(), Math.min(MAX_TIMER_MS, Math.max(1, next - now)))
      this.timer.unref()
    }
  }

  /** Resolves when no attempt is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight.values()])
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    await this.idle()
  }

  /**
   * Sends a notification that already went out once more, now (the dashboard's and `npm run
   * trigger`'s redeliver): same id and body, fresh signature. A delivered resend ends its retries.
   */
  async redeliver(job: NotificationJob): Promise<DeliveryRecord> {
    const merchant = this.ctx.store.data.merchants[job.mchid]
    if (!job.body || !merchant) throw new Error('notification not sent yet')
    const headers = { 'Content-Type': 'application/json', ...signWechatpayMessage(this.signer(merchant), job.body), 'User-Agent': NOTIFY_USER_AGENT, Accept: '*/*' }
    const result = await this.send(job, 'redelivery', Math.max(1, job.attempts), headers, job.body)
    if (result.delivered && !job.done) job.done = true
    this.ctx.store.save()
    return result.record
  }

  private signer(merchant: MerchantRecord) {
    const key = this.ctx.notificationKey(merchant)
    return { serial: key.serialNo, privateKey: this.ctx.keys.privateKey(key.privateKeyPem), clock: this.ctx.now, nonce: () => this.ctx.nonce(32) }
  }

  private async attempt(job: NotificationJob): Promise<void> {
    const data = this.ctx.store.data
    const merchant = data.merchants[job.mchid]
    if (!merchant) {
      job.done = true
      return
    }
    this.onDue(job)
    const signer = () => this.signer(merchant)
    if (job.attempts === 0 && this.faults.takeNotify('drop')) {
      job.done = true
      this.record(job, 'dropped', job.attempts + 1, { headers: {}, body: '' }, { status: 0, delivered: false, durationMs: 0, error: 'dropped by fault injection' })
      this.ctx.store.save()
      return
    }
    let headers: Record<string, string>
    if (!job.body) {
      const built = buildNotification(
        { id: job.id, createTime: rfc3339(job.createdAt), eventType: job.eventType, summary: job.summary, originalType: job.originalType, plaintext: job.plaintext, nonce: this.ctx.nonce(12) },
        merchant.apiV3Key,
        signer(),
      )
      job.body = built.body
      headers = built.headers
    } else {
      headers = { 'Content-Type': 'application/json', ...signWechatpayMessage(signer(), job.body) }
    }
    headers = { ...headers, 'User-Agent': NOTIFY_USER_AGENT, Accept: '*/*' }

    if (job.probe) {
      job.probe = false
      // A deliberately wrong signature (wechatpay-v3.md §2.2): the merchant must refuse it.
      const probeHeaders = { ...headers, 'Wechatpay-Signature': `WECHATPAY/SIGNTEST/${randomBytes(48).toString('base64')}` }
      await this.send(job, 'probe', job.attempts + 1, probeHeaders, job.body)
    }

    const result = await this.send(job, 'attempt', job.attempts + 1, headers, job.body)
    job.attempts += 1
    if (result.delivered) {
      job.done = true
      if (job.duplicate) {
        job.duplicate = false
        await this.send(job, 'duplicate', job.attempts, { ...headers, ...signWechatpayMessage(signer(), job.body) }, job.body)
      }
    } else this.scheduleRetry(job)
    this.ctx.store.save()
  }

  /** After a failed attempt: the next one on the retry schedule, or give up after 15 retries as WeChat Pay does. */
  private scheduleRetry(job: NotificationJob): void {
    if (job.attempts > RETRY_INTERVALS_S.length) job.done = true
    else job.nextAt = this.ctx.now() + RETRY_INTERVALS_S[job.attempts - 1] * 1000 * this.ctx.options.retryScale
  }

  /**
   * The emulator itself failed while preparing or recording an attempt: the attempt is recorded
   * with the error and counts as failed, so the job waits for its next retry instead of spinning.
   */
  private failed(job: NotificationJob, e: unknown): void {
    job.attempts += 1
    const error = `emulator error: ${e instanceof Error ? e.message : String(e)}`
    this.record(job, 'attempt', job.attempts, { headers: {}, body: job.body ?? '' }, { status: 0, delivered: false, durationMs: 0, error })
    this.scheduleRetry(job)
    this.ctx.store.save()
  }

  private async send(job: NotificationJob, kind: DeliveryRecord['kind'], attempt: number, headers: Record<string, string>, body: string) {
    const started = performance.now()
    let status = 0
    let error: string | undefined
    let responseBody: string | undefined
    try {
      const res = await this.ctx.fetch(job.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.ctx.options.notifyTimeoutMs), redirect: 'manual' })
      status = res.status
      responseBody = (await res.text()).slice(0, RESPONSE_BODY_LIMIT)
    } catch (e) {
      const name = (e as { name?: string })?.name
      error = name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${this.ctx.options.notifyTimeoutMs} ms` : String((e as Error)?.cause ?? (e as Error)?.message ?? e)
      status = 0
    }
    const durationMs = Math.round(performance.now() - started)
    const delivered = status === 200 || status === 204
    const record = this.record(job, kind, attempt, { headers, body }, { status, delivered, durationMs, error, responseBody })
    return { delivered, record }
  }

  private record(
    job: NotificationJob,
    kind: DeliveryRecord['kind'],
    attempt: number,
    request: { headers: Record<string, string>; body: string },
    r: { status: number; delivered: boolean; durationMs: number; error?: string; responseBody?: string },
  ): DeliveryRecord {
    const deliveries = this.ctx.store.data.deliveries
    const record: DeliveryRecord = {
      id: randomUUID(),
      notificationId: job.id,
      eventType: job.eventType,
      outTradeNo: job.outTradeNo,
      ...(job.outRefundNo ? { outRefundNo: job.outRefundNo } : {}),
      url: job.url,
      attempt,
      kind,
      at: new Date(this.ctx.now()).toISOString(),
      status: r.status,
      delivered: r.delivered,
      ...(r.error ? { error: r.error } : {}),
      durationMs: r.durationMs,
      request,
      ...(r.responseBody !== undefined ? { response: { body: r.responseBody } } : {}),
    }
    deliveries.push(record)
    if (deliveries.length > MAX_DELIVERIES) deliveries.splice(0, deliveries.length - MAX_DELIVERIES)
    return record
  }
}
