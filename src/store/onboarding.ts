// The onboarding flow (platform.md §Onboarding): a 4-step form with a review step, a draft kept in
// storage on every change, per-field errors from the contract's rules as the user types, photo
// uploads with progress and retry, submission with a requestId, and the applicant's applications
// with resubmission after a rejection. A vanilla zustand store with its dependencies injected.
import { createStore } from 'zustand/vanilla'
import { validateApplication } from '@/contract/application-rules'
import { DEFAULT_MEDIA_MAX_BYTES } from '@/contract/constants'
import { AppError, toAppError } from '@/lib/errors'
import { newRequestId as defaultRequestId } from '@/lib/random'
import type { Application, Backend, ChooseImage, KeyValueStorage, ReviewSimulator } from '@/services/types'
import {
  STEPS, emptyValues, isFieldPath, stepOfField, toRequest, visibleFields, withField,
  type FieldPath, type ImageField, type Step, type Values,
} from './onboarding-fields'
import { beijingToday, byField, donePaths, isBlank, readDraft, restoreUploads, type Draft, type UploadState } from './onboarding-draft'
import { SUBMITTED_STORAGE_PREFIX, createApplicationsSlice, type ApplicationsSlice } from './onboarding-applications'

export { SUBMITTED_STORAGE_PREFIX }
export type { UploadState }

/** Storage key of the draft being edited. */
export const DRAFT_STORAGE_KEY = 'onboarding.draft.v1'

export interface OnboardingState extends ApplicationsSlice {
  step: Step
  values: Values
  /** Fields the user has left or the flow has checked: their client-side errors are shown. */
  touched: Partial<Record<FieldPath, true>>
  /** Every current problem by the contract's rules (shown for touched fields). */
  errors: Partial<Record<FieldPath, string>>
  /** Problems the server named (400 details, rejection reasons); shown until the field changes. */
  serverErrors: Partial<Record<string, string>>
  /**
   * WeChat Pay's rejection reasons of the application being fixed, by field; shown until the field
   * changes, but never blocking: a reason may concern a photo or a fact the user re-confirms as is.
   */
  rejected: Partial<Record<string, string>>
  uploads: Partial<Record<ImageField, UploadState>>
  /** The rejected application being fixed, or null for a new application. */
  editing: string | null
  /** A sentence above the form: why it stopped, or what was restored. */
  notice: string | null
  submitting: boolean
  submitError: AppError | null
  setField(path: FieldPath, value: string): void
  touch(path: FieldPath): void
  /** Goes on when the step's fields are fine; otherwise shows every problem of the step. Returns whether it moved. */
  next(): boolean
  back(): void
  goTo(step: Step): void
  /** Picks a photo for `field` and uploads it. */
  pickImage(field: ImageField): Promise<void>
  retryUpload(field: ImageField): Promise<void>
  /** Submits (or resubmits) the form; resolves with the application, or null when it was refused. */
  submit(): Promise<Application | null>
  /** Forgets the draft and starts an empty form. */
  startNew(): void
  /** Reopens a rejected application prefilled with what this device submitted, its rejected fields marked. */
  reopen(application: Application): void
  /** The mock backend's review, for `npm run dev`; null with a real backend. */
  simulateReview: ReviewSimulator | null
}

export interface OnboardingDeps {
  backend: Backend
  storage: KeyValueStorage
  chooseImage: ChooseImage
  newRequestId?: () => string
  /** Today as YYYY-MM-DD (Beijing), for the expiry check of the ID card. */
  today?: () => string
  maxImageBytes?: number
  simulateReview?: ReviewSimulator | null
}

export type OnboardingStore = ReturnType<typeof createOnboardingStore>

/** Creates the onboarding store. */
export const createOnboardingStore = ({
  backend,
  storage,
  chooseImage,
  newRequestId = defaultRequestId,
  today = beijingToday,
  maxImageBytes = DEFAULT_MEDIA_MAX_BYTES,
  simulateReview = null,
}: OnboardingDeps) =>
  createStore<OnboardingState>()((set, get, store) => {
    const check = (values: Values) => byField(validateApplication(toRequest(values, 'check-only'), today())) as Partial<Record<FieldPath, string>>
    // One token per image field: a newer pick or retry makes an older upload's answer stale.
    const uploadTokens = new Map<ImageField, number>()
    // The last body sent and its requestId, until the server answered: a retry of the same body after a
    // lost answer reuses the id, so the backend maps it to the same application.
    let unanswered: { body: string; requestId: string } | null = null

    const restored = readDraft(storage, DRAFT_STORAGE_KEY)
    const values = restored?.values ?? emptyValues()
    const uploads = restoreUploads(values, restored?.uploads)

    // The draft is written on every change of what it holds, and removed once the form is blank.
    store.subscribe((s, prev) => {
      if (s.values === prev.values && s.step === prev.step && s.editing === prev.editing && s.uploads === prev.uploads) return
      if (isBlank(s.values) && s.editing === null) {
        storage.remove(DRAFT_STORAGE_KEY)
        return
      }
      const draft: Draft = { step: s.step, values: s.values, editing: s.editing, uploads: donePaths(s.uploads) }
      storage.set(DRAFT_STORAGE_KEY, JSON.stringify(draft))
    })

    async function upload(field: ImageField, path: string) {
      const token = (uploadTokens.get(field) ?? 0) + 1
      uploadTokens.set(field, token)
      const put = (state: UploadState) => set({ uploads: { ...get().uploads, [field]: state } })
      put({ status: 'uploading', progress: 0, path })
      try {
        const mediaId = await backend.uploadMedia(path, (percent) => {
          if (uploadTokens.get(field) === token) put({ status: 'uploading', progress: Math.max(0, Math.min(100, Math.round(percent))), path })
        })
        if (uploadTokens.get(field) !== token) return
        put({ status: 'done', path })
        get().setField(field, mediaId)
      } catch (e) {
        if (uploadTokens.get(field) !== token) return
        put({ status: 'failed', path, message: toAppError(e).message })
      }
    }

    return {
      ...createApplicationsSlice({ backend, storage, set, get }),
      step: restored?.step ?? 'type',
      values,
      touched: {},
      errors: check(values),
      serverErrors: {},
      rejected: {},
      uploads,
      editing: restored?.editing ?? null,
      notice: restored ? '已恢复上次未提交的内容' : null,
      submitting: false,
      submitError: null,
      simulateReview,

      setField(path, value) {
        const next = withField(get().values, path, value)
        const { [path]: _dropped, ...serverErrors } = get().serverErrors
        const { [path]: _reason, ...rejected } = get().rejected
        set({ values: next, errors: check(next), serverErrors, rejected, submitError: null })
      },

      touch(path) {
        if (!get().touched[path]) set({ touched: { ...get().touched, [path]: true } })
      },

      next() {
        const { step, values, errors, serverErrors } = get()
        const index = STEPS.indexOf(step)
        if (step === 'review') return false
        const fields = visibleFields(values, step)
        const touched = { ...get().touched }
        for (const f of fields) touched[f] = true
        const problems = fields.filter((f) => errors[f] || serverErrors[f]).length
        if (problems > 0) {
          set({ touched, notice: `还有 ${problems} 项需要填写或修改，请查看标红的提示` })
          return false
        }
        set({ touched, step: STEPS[index + 1], notice: null })
        return true
      },

      back() {
        const index = STEPS.indexOf(get().step)
        if (index > 0) set({ step: STEPS[index - 1], notice: null })
      },

      goTo(step) {
        set({ step, notice: null })
      },

      async pickImage(field) {
        let picked: Awaited<ReturnType<ChooseImage>>
        try {
          picked = await chooseImage()
        } catch (e) {
          set({ uploads: { ...get().uploads, [field]: { status: 'failed', path: null, message: toAppError(e).message } } })
          return
        }
        if (!picked) return
        if (picked.sizeBytes > maxImageBytes) {
          const mb = Math.floor(maxImageBytes / 1048576)
          set({ uploads: { ...get().uploads, [field]: { status: 'failed', path: null, message: `照片超过 ${mb}MB，请重新选择或拍摄` } } })
          return
        }
        await upload(field, picked.path)
      },

      async retryUpload(field) {
        const state = get().uploads[field]
        if (state?.status === 'failed' && state.path) await upload(field, state.path)
        else await get().pickImage(field)
      },

      async submit() {
        const { values, errors, editing, submitting } = get()
        if (submitting) return null
        const bad = Object.keys(errors) as FieldPath[]
        if (bad.length > 0) {
          const touched = { ...get().touched }
          for (const f of bad) touched[f] = true
          set({ touched, step: stepOfField(bad[0]), notice: `还有 ${bad.length} 项需要填写或修改，请查看标红的提示` })
          return null
        }
        const probe = JSON.stringify(toRequest(values, ''))
        const requestId = unanswered?.body === probe ? unanswered.requestId : newRequestId()
        unanswered = { body: probe, requestId }
        const body = toRequest(values, requestId)
        set({ submitting: true, submitError: null, notice: null })
        try {
          const application = editing ? await backend.resubmitApplication(editing, body) : await backend.createApplication(body)
          unanswered = null
          const kept: Draft = { step: 'review', values, editing: application.applicationNo, uploads: donePaths(get().uploads) }
          storage.set(SUBMITTED_STORAGE_PREFIX + application.applicationNo, JSON.stringify(kept))
          set({ ...blankForm(), submitting: false, current: { status: 'ready', application, error: null } })
          return application
        } catch (e) {
          const error = toAppError(e)
          if (error.code === 'INVALID_APPLICATION' && error.fields?.length) {
            unanswered = null
            const serverErrors = byField(error.fields)
            const touched = { ...get().touched }
            for (const f of Object.keys(serverErrors)) if (isFieldPath(f)) touched[f] = true
            const first = error.fields.map((f) => f.field).find(isFieldPath) ?? 'organizationType'
            set({ submitting: false, submitError: error, serverErrors, touched, step: stepOfField(first), notice: `提交未通过：${error.fields.length} 项需要修改，请查看标红的提示` })
          } else {
            set({ submitting: false, submitError: error })
          }
          return null
        }
      },

      startNew() {
        storage.remove(DRAFT_STORAGE_KEY)
        unanswered = null
        uploadTokens.clear()
        set(blankForm())
      },

      reopen(application) {
        const kept = readDraft(storage, SUBMITTED_STORAGE_PREFIX + application.applicationNo)
        const base = kept?.values ?? withField(emptyValues(), 'organizationType', application.organizationType)
        if (!kept) base.merchantShortname = application.merchantShortname
        const rejected = byField((application.rejections ?? []).map((r) => ({ field: r.field, message: r.reason })))
        const touched: Partial<Record<FieldPath, true>> = {}
        for (const f of Object.keys(rejected)) if (isFieldPath(f)) touched[f] = true
        const first = (application.rejections ?? []).map((r) => r.field).find(isFieldPath)
        const imageUploads = restoreUploads(base, kept?.uploads)
        unanswered = null
        uploadTokens.clear()
        set({
          step: first ? stepOfField(first) : 'type',
          values: base,
          errors: check(base),
          serverErrors: {},
          rejected,
          touched,
          uploads: imageUploads,
          editing: application.applicationNo,
          submitError: null,
          notice: kept ? '请按驳回原因修改标红的内容后重新提交' : '本机没有保存这份申请的资料，请重新填写后提交',
        })
      },
    }

    function blankForm(): Partial<OnboardingState> {
      const values = emptyValues()
      return { step: 'type', values, errors: check(values), touched: {}, serverErrors: {}, rejected: {}, uploads: {}, editing: null, notice: null, submitError: null }
    }
  })

/** The message to show under a field: the server's, else the rejection reason, else the rules' once the field was touched. */
export const fieldError = (state: Pick<OnboardingState, 'serverErrors' | 'rejected' | 'errors' | 'touched'>, path: FieldPath): string | undefined =>
  state.serverErrors[path] ?? state.rejected[path] ?? (state.touched[path] ? state.errors[path] : undefined)
