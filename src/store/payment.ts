// The checkout state machine (architecture.md §Payment store): a vanilla zustand store built from
// its dependencies, so it is tested without React, Taro or a network.
import { createStore } from 'zustand/vanilla'
import { AppError, ERROR_MESSAGES, toAppError } from '@/lib/errors'
import { newRequestId as defaultRequestId } from '@/lib/random'
import type { Backend, Order, OrderWithPayment, Payment, PaymentDriver, PayOutcome, Sleep } from '@/services/types'
import { isBusy, outcomeKind, settle, type FinalPhase, type OutcomeKind, type Phase } from './settle'

export type { Phase } from './settle'

/** After the client says `ok`, ask the server at these delays before settling for `pending`. */
export const CONFIRM_DELAYS_MS: readonly number[] = [0, 1000, 2000]

export interface CheckoutInput {
  amountFen: number
  description: string
  /** The shop to pay (platform.md §Shops); absent: the backend's default. */
  shopId?: string
}

export interface PaymentState {
  phase: Phase
  /** The server's order, once created (kept after a cancel so it can be paid again). */
  order: Order | null
  error: AppError | null
  /** New order for this amount + description, then pay it. Does nothing while one is in flight. */
  checkout(input: CheckoutInput): Promise<void>
  /** Pay the same order again with fresh parameters (or repeat a checkout that made no order). */
  retry(): Promise<void>
  /** Pay an existing unpaid order (orders page). */
  payOrder(order: Order): Promise<void>
  /** Ask the server again about the current order (pending → succeeded once it is paid). */
  confirm(): Promise<void>
  reset(): void
}

export interface PaymentDeps {
  backend: Backend
  pay: PaymentDriver
  newRequestId?: () => string
  sleep?: Sleep
  confirmDelaysMs?: readonly number[]
}

export type PaymentStore = ReturnType<typeof createPaymentStore>

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

const STATUS_TEXT: Record<Order['status'], string> = {
  unpaid: '待支付',
  paid: '已支付',
  closed: '已关闭',
  refunded: '已退款',
  failed: '支付失败',
}

/** Readable reason from a driver failure ("requestPayment:fail xxx" → "xxx"). */
const failReason = (outcome: PayOutcome): string =>
  typeof outcome === 'object' ? outcome.fail.replace(/^requestPayment:fail\s*/, '').trim() : ''

/** The error shown with a final phase, or null when there is nothing to explain. */
function errorFor(phase: FinalPhase, outcome: PayOutcome, order: Order | null, confirmError: AppError | null): AppError | null {
  if (phase === 'succeeded' || phase === 'cancelled') return null
  if (phase === 'pending') {
    const why = confirmError ? `（${confirmError.message}）` : ''
    return new AppError('PAYMENT_UNCONFIRMED', `${ERROR_MESSAGES.PAYMENT_UNCONFIRMED}${why}`, confirmError?.detail)
  }
  if (order && order.status !== 'unpaid') {
    return new AppError('ORDER_NOT_PAYABLE', `订单${STATUS_TEXT[order.status]}，无法继续支付`)
  }
  const reason = failReason(outcome)
  return new AppError('PAYMENT_FAILED', reason ? `支付失败：${reason}` : ERROR_MESSAGES.PAYMENT_FAILED, reason || undefined)
}

const sameInput = (a: CheckoutInput | null, b: CheckoutInput): boolean =>
  a !== null && a.amountFen === b.amountFen && a.description === b.description && a.shopId === b.shopId

/** Creates the checkout store with its backend and payment driver injected. */
export const createPaymentStore = ({
  backend,
  pay,
  newRequestId = defaultRequestId,
  sleep = realSleep,
  confirmDelaysMs = CONFIRM_DELAYS_MS,
}: PaymentDeps) =>
  createStore<PaymentState>()((set, get, store) => {
    // A run is one action from start to final phase; reset() or a newer run makes older ones stale,
    // so a late answer never overwrites a newer state.
    let runId = 0
    // The last checkout input and, until the server answered with an order, its requestId: repeating
    // a checkout that failed in transit reuses the id, so the backend maps it to the same order.
    let lastInput: CheckoutInput | null = null
    let unansweredRequestId: string | null = null
    let lastOutcome: OutcomeKind = 'ok'

    const begin = (partial: Partial<PaymentState>): number => {
      runId += 1
      set(partial)
      return runId
    }

    /** Asks the server until the order is no longer unpaid or the delays run out. */
    async function askServer(run: number, orderNo: string, delays: readonly number[]) {
      let latest: Order | null = null
      let confirmError: AppError | null = null
      for (const delayMs of delays) {
        if (delayMs > 0) await sleep(delayMs)
        if (run !== runId) return null
        try {
          latest = await backend.getOrder(orderNo)
          confirmError = null
        } catch (e) {
          confirmError = toAppError(e)
        }
        if (run !== runId) return null
        if (latest && latest.status !== 'unpaid') break
      }
      return { latest, confirmError }
    }

    async function payAndSettle(run: number, order: Order, payment: Payment) {
      set({ phase: 'paying', order })
      let outcome: PayOutcome
      try {
        outcome = await pay(payment)
      } catch (e) {
        outcome = { fail: toAppError(e).message }
      }
      if (run !== runId) return
      set({ phase: 'confirming' })
      const kind = outcomeKind(outcome)
      lastOutcome = kind
      // The server decides: after `ok` it may need a moment for the notification; after a cancel or
      // a failure one question is enough to catch a payment that went through anyway.
      const answer = await askServer(run, order.orderNo, kind === 'ok' ? confirmDelaysMs : [0])
      if (!answer) return
      const phase = settle(kind, answer.latest?.status ?? null)
      set({ phase, order: answer.latest ?? order, error: errorFor(phase, outcome, answer.latest, answer.confirmError) })
    }

    /** The order can no longer be paid: paid meanwhile (or closed); the server's order says which. */
    async function settleNotPayable(run: number, order: Order, error: AppError) {
      set({ phase: 'confirming', order })
      const answer = await askServer(run, order.orderNo, [0])
      if (!answer) return
      const latest = answer.latest ?? order
      const paid = latest.status === 'paid' || latest.status === 'refunded'
      set({ phase: paid ? 'succeeded' : 'failed', order: latest, error: paid ? null : error })
    }

    async function payExisting(order: Order) {
      const run = begin({ phase: 'creating', order, error: null })
      let payment: Payment
      try {
        payment = await backend.renewPayment(order.orderNo)
      } catch (e) {
        if (run !== runId) return
        const error = toAppError(e)
        if (error.code === 'ORDER_NOT_PAYABLE') return settleNotPayable(run, order, error)
        set({ phase: 'failed', error })
        return
      }
      if (run !== runId) return
      await payAndSettle(run, order, payment)
    }

    return {
      phase: 'idle',
      order: null,
      error: null,

      async checkout(input) {
        if (isBusy(get().phase)) return
        const requestId = sameInput(lastInput, input) && unansweredRequestId ? unansweredRequestId : newRequestId()
        lastInput = { ...input }
        unansweredRequestId = requestId
        const run = begin({ phase: 'creating', order: null, error: null })
        let created: OrderWithPayment
        try {
          created = await backend.createOrder({
            amount: input.amountFen, description: input.description, requestId, ...(input.shopId ? { shopId: input.shopId } : {}),
          })
        } catch (e) {
          if (run !== runId) return
          set({ phase: 'failed', error: toAppError(e) })
          return
        }
        unansweredRequestId = null
        if (run !== runId) return
        // A replayed requestId whose order is no longer unpaid comes back without payment parameters.
        if (!created.payment) return settleNotPayable(run, created.order, new AppError('ORDER_NOT_PAYABLE'))
        await payAndSettle(run, created.order, created.payment)
      },

      async retry() {
        const { phase, order } = get()
        if (isBusy(phase)) return
        if (order) return payExisting(order)
        if (lastInput) return get().checkout(lastInput)
      },

      async payOrder(order) {
        if (isBusy(get().phase)) return
        return payExisting(order)
      },

      async confirm() {
        const { phase, order } = get()
        if (isBusy(phase) || !order) return
        const run = begin({ phase: 'confirming', error: null })
        const answer = await askServer(run, order.orderNo, [0])
        if (!answer) return
        const next = settle(lastOutcome, answer.latest?.status ?? null)
        const outcome: PayOutcome = lastOutcome === 'fail' ? { fail: '' } : lastOutcome
        set({ phase: next, order: answer.latest ?? order, error: errorFor(next, outcome, answer.latest, answer.confirmError) })
      },

      reset() {
        runId += 1
        lastInput = null
        unansweredRequestId = null
        lastOutcome = 'ok'
        set(store.getInitialState(), true)
      },
    }
  })
