// The final phase of one payment attempt, from what the client said and what the server says.
// Pure and table-tested: the client's word alone never makes a payment succeed.
import type { OrderStatus, PayOutcome } from '@/services/types'

export const PHASES = ['idle', 'creating', 'paying', 'confirming', 'succeeded', 'cancelled', 'failed', 'pending'] as const
export type Phase = (typeof PHASES)[number]
export type FinalPhase = Extract<Phase, 'succeeded' | 'cancelled' | 'failed' | 'pending'>

/** Phases during which a checkout is in flight (a second tap does nothing). */
export const BUSY_PHASES: readonly Phase[] = ['creating', 'paying', 'confirming']

export const isBusy = (phase: Phase): boolean => BUSY_PHASES.includes(phase)
export const isFinal = (phase: Phase): phase is FinalPhase =>
  phase === 'succeeded' || phase === 'cancelled' || phase === 'failed' || phase === 'pending'

export type OutcomeKind = 'ok' | 'cancel' | 'fail'

/** 'ok' | 'cancel' | { fail } → its kind. */
export const outcomeKind = (outcome: PayOutcome): OutcomeKind =>
  outcome === 'ok' ? 'ok' : outcome === 'cancel' ? 'cancel' : 'fail'

/**
 * (client outcome, server status or null when the server could not be asked) → final phase.
 * - the server's `paid` always wins (even after a cancel: the money moved);
 * - a closed/failed/refunded order cannot be paid any more: failed;
 * - an unpaid order after `ok` is not yet confirmed: pending (the notification may still come);
 * - an unpaid order after a cancel is cancelled (retryable), after a fail is failed (retryable);
 * - no answer from the server: `ok` is pending, cancel stays cancelled, fail stays failed.
 */
export function settle(outcome: OutcomeKind, status: OrderStatus | null): FinalPhase {
  if (status === 'paid') return 'succeeded'
  if (status === 'closed' || status === 'failed' || status === 'refunded') return 'failed'
  if (outcome === 'ok') return 'pending'
  return outcome === 'cancel' ? 'cancelled' : 'failed'
}
