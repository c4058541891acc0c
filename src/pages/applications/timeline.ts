// The timeline of an application's states (platform.md §Onboarding): the happy path, with the
// state reached marked, and an off-path state (rejected, frozen, …) shown where it happened.
import { APPLICATION_STATE_TEXT, type ApplicationState } from '@/contract/constants'

export interface TimelineEntry {
  state: ApplicationState
  text: string
  status: 'done' | 'current' | 'todo' | 'stopped'
}

const PATH: ApplicationState[] = ['submitting', 'checking', 'auditing', 'need_sign', 'finished']

/** Where an off-path state sits on the path: after the step it interrupts. */
const OFF_PATH_AFTER: Partial<Record<ApplicationState, ApplicationState>> = {
  account_need_verify: 'checking',
  rejected: 'auditing',
  frozen: 'auditing',
  canceled: 'auditing',
  failed: 'submitting',
}

/** The entries to draw for an application in `state`. */
export function timeline(state: ApplicationState): TimelineEntry[] {
  // A passed `submitting` reads 已提交 (the state's own text, 提交中, is for while it lasts).
  const entry = (s: ApplicationState, status: TimelineEntry['status']): TimelineEntry =>
    ({ state: s, text: s === 'submitting' && status === 'done' ? '已提交' : APPLICATION_STATE_TEXT[s], status })
  const at = PATH.indexOf(state)
  if (at >= 0) return PATH.map((s, i) => entry(s, i < at ? 'done' : i === at ? (state === 'finished' ? 'done' : 'current') : 'todo'))
  const after = PATH.indexOf(OFF_PATH_AFTER[state] ?? 'submitting')
  const stops = state !== 'account_need_verify'
  const before = PATH.slice(0, after + 1).map((s) => entry(s, 'done'))
  const rest = stops ? [] : PATH.slice(after + 1).map((s) => entry(s, 'todo'))
  return [...before, entry(state, stops ? 'stopped' : 'current'), ...rest]
}
