/** Runs `fn` after every earlier task for the same key has settled. */
export type OrderLock = <T>(key: string, fn: () => Promise<T>) => Promise<T>

/**
 * An in-process lock per order number: double taps, concurrent retries and the reconciler never
 * call WeChat Pay for one order at the same time (one process only; see the README).
 */
export function createOrderLock(): OrderLock {
  const tails = new Map<string, Promise<unknown>>()
  return function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = tails.get(key) ?? Promise.resolve()
    const run = prev.then(fn, fn)
    const tail = run.catch(() => undefined)
    tails.set(key, tail)
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key)
    })
    return run
  }
}
