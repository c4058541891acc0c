// Test doubles for the app layer: the real in-app mock backend with no latency, scriptable drivers.
import { createMockBackend, type MockBackend } from '@/services/mock-backend'
import { createMemoryStorage, type Payment, type PayOutcome, type PaymentDriver } from '@/services/types'

/** The real mock backend, instant, in memory, with call counters. */
export function instantBackend(): MockBackend & { calls: Record<string, unknown[][]> } {
  const inner = createMockBackend({ storage: createMemoryStorage(), latencyMs: 0 })
  const calls: Record<string, unknown[][]> = {}
  const spy = <K extends keyof MockBackend>(name: K) =>
    ((...args: unknown[]) => {
      calls[name] ??= []
      calls[name].push(args)
      return (inner[name] as (...a: unknown[]) => unknown)(...args)
    }) as MockBackend[K]
  const spied = { ...inner } as MockBackend
  for (const name of Object.keys(inner) as Array<keyof MockBackend>) {
    if (name !== 'completePayment' && name !== 'failNext' && name !== 'advanceApplication') (spied as unknown as Record<string, unknown>)[name] = spy(name)
  }
  return Object.assign(spied, { calls })
}

/** A driver answering from a script, one entry per payment; `pay` marks paid in the backend. */
export function scriptedDriver(backend: MockBackend, script: Array<'pay' | PayOutcome>) {
  const seen: Payment[] = []
  const driver: PaymentDriver = async (payment) => {
    seen.push(payment)
    const next = script.shift()
    if (next === undefined) throw new Error('driver called more often than scripted')
    if (next === 'pay') return backend.completePayment(payment, 'success')
    return next
  }
  return { driver, seen }
}

/** A promise with its resolve exposed. */
export function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej })
  return { promise, resolve, reject }
}

/** Lets pending promise callbacks run. */
export const flush = async (times = 20) => { for (let i = 0; i < times; i += 1) await Promise.resolve() }
