/**
 * The database going away mid-run (issue 12): every call that needs it fails with
 * StorageUnavailableError, which the HTTP layer answers 503 (notifications: 503 `FAIL`, so WeChat
 * Pay redelivers) instead of crashing. One log line per burst of such failures, not one per
 * request (with a reminder while it lasts); the storage's pool reconnects on its own when the
 * database returns, so nothing here has to.
 */
import type { FastifyBaseLogger } from 'fastify'
import { isStorageUnavailable } from '../storage/errors'

/** A burst ends after this long without a storage failure; the next failure logs again. */
export const OUTAGE_QUIET_MS = 10_000
/** While a burst lasts, a reminder line (with the count so far) at most this often. */
export const OUTAGE_REMINDER_MS = 60_000

/** The contract's answer to a request the database could not serve. */
export const UNAVAILABLE_MESSAGE = 'the database is unavailable, retry shortly'

/**
 * True when `e` means the database cannot be reached. A plain boolean, not a type guard: the error
 * class adds no member to Error, so a guard would narrow the handlers' other branches to never.
 */
export const isDatabaseAway = (e: unknown): boolean => isStorageUnavailable(e)

export interface OutageLog {
  /** Counts one failed request; logs the first of a burst and a reminder now and then. */
  failed(log: FastifyBaseLogger, err: Error): void
}

/** One per app: the state of the current outage burst, if any. */
export function createOutageLog(clock: () => number = Date.now): OutageLog {
  let failures = 0
  let burstStartedAt = 0
  let lastFailureAt = -Infinity
  let lastLoggedAt = -Infinity
  return {
    failed(log, err) {
      const now = clock()
      if (now - lastFailureAt > OUTAGE_QUIET_MS) {
        failures = 0
        burstStartedAt = now
        lastLoggedAt = -Infinity
      }
      failures++
      lastFailureAt = now
      if (now - lastLoggedAt < OUTAGE_REMINDER_MS) return
      lastLoggedAt = now
      log.error({ err: err.message, failures, forMs: now - burstStartedAt }, 'database unavailable: answering 503 until it returns')
    },
  }
}
