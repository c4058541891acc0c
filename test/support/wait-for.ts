/** The one polling helper of the test suites: no fixed sleeps, a deadline and a message naming what never came. */

const POLL_INTERVAL_MS = 10

/** Polls `probe` until it returns a truthy value (returned) or `timeoutMs` passes (throws, naming `what` and the last value). */
export async function waitFor<T>(probe: () => Promise<T> | T, what: string, timeoutMs = 10_000): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await probe()
      if (v) return v as Exclude<T, false | null | undefined | 0 | ''>
      last = v
    } catch (e) {
      last = e
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`)
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS))
  }
}
