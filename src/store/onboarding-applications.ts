// The applicant's applications (platform.md §Onboarding): the list, and one application's status,
// read again on demand (the backend refreshes a non-final one from WeChat Pay). Part of the
// onboarding store; a finished or canceled application's kept form is dropped from the device.
import { FINAL_APPLICATION_STATES } from '@/contract/constants'
import { toAppError, type AppError } from '@/lib/errors'
import type { Application, Backend, KeyValueStorage } from '@/services/types'

/** Storage key prefix of a submitted form's values, kept so a rejected application can be fixed and resubmitted. */
export const SUBMITTED_STORAGE_PREFIX = 'onboarding.submitted.v1.'

type LoadStatus = 'idle' | 'loading' | 'ready' | 'error'

export interface ApplicationsSlice {
  applications: { status: LoadStatus; list: Application[]; error: AppError | null }
  /** The application on the status page. */
  current: { status: LoadStatus; application: Application | null; error: AppError | null }
  loadApplications(): Promise<void>
  /** Reads one application (and shows it); keeps the one on screen while loading. */
  openApplication(applicationNo: string): Promise<void>
  /** Whether this device kept the submitted form of an application (so 修改并重新提交 reopens it filled in). */
  hasKeptForm(applicationNo: string): boolean
}

interface SliceDeps<S extends ApplicationsSlice> {
  backend: Backend
  storage: KeyValueStorage
  set: (partial: Partial<S>) => void
  get: () => S
}

/** States in which nobody can change the application any more: the kept form is no longer needed. */
const DONE_WITH_FORM: readonly Application['state'][] = ['finished', 'canceled']

/** The applications part of the onboarding store. */
export function createApplicationsSlice<S extends ApplicationsSlice>({ backend, storage, set, get }: SliceDeps<S>): ApplicationsSlice {
  let listId = 0
  let currentId = 0
  const forget = (a: Application) => {
    if (DONE_WITH_FORM.includes(a.state)) storage.remove(SUBMITTED_STORAGE_PREFIX + a.applicationNo)
  }
  return {
    applications: { status: 'idle', list: [], error: null },
    current: { status: 'idle', application: null, error: null },

    async loadApplications() {
      const id = ++listId
      set({ applications: { ...get().applications, status: 'loading', error: null } } as Partial<S>)
      try {
        const list = await backend.listApplications()
        if (id !== listId) return
        list.forEach(forget)
        set({ applications: { status: 'ready', list, error: null } } as Partial<S>)
      } catch (e) {
        if (id === listId) set({ applications: { ...get().applications, status: 'error', error: toAppError(e) } } as Partial<S>)
      }
    },

    async openApplication(applicationNo) {
      const id = ++currentId
      const shown = get().current.application
      const keep = shown?.applicationNo === applicationNo ? shown : null
      set({ current: { status: 'loading', application: keep, error: null } } as Partial<S>)
      try {
        const application = await backend.getApplication(applicationNo)
        if (id !== currentId) return
        forget(application)
        set({ current: { status: 'ready', application, error: null } } as Partial<S>)
      } catch (e) {
        if (id === currentId) set({ current: { status: 'error', application: keep, error: toAppError(e) } } as Partial<S>)
      }
    },

    hasKeptForm(applicationNo) {
      return storage.get(SUBMITTED_STORAGE_PREFIX + applicationNo) !== null
    },
  }
}

/** Whether WeChat Pay may still move the application on its own (worth refreshing). */
export const isLive = (a: Application): boolean => !FINAL_APPLICATION_STATES.includes(a.state) && a.state !== 'rejected'
