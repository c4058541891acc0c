// The onboarding draft as kept on the device: its shape, how it is read back, and the upload
// states of the photos a restored form already has. Pure helpers of the onboarding store.
import type { FieldError, KeyValueStorage } from '@/services/types'
import { IMAGE_FIELDS, STEPS, emptyValues, type FieldPath, type ImageField, type Step, type Values } from './onboarding-fields'

/** The state of one photo field's upload. */
export type UploadState =
  | { status: 'uploading'; progress: number; path: string }
  | { status: 'done'; path: string }
  | { status: 'failed'; path: string | null; message: string }

export interface Draft {
  step: Step
  values: Values
  editing: string | null
  uploads: Partial<Record<ImageField, string>>
}

/** Today as YYYY-MM-DD in Beijing time (the ID card's expiry check). */
export const beijingToday = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)

/** FieldError[] → path → message (the first message per path). */
export function byField(list: FieldError[]): Partial<Record<string, string>> {
  const out: Partial<Record<string, string>> = {}
  for (const { field, message } of list) if (!(field in out)) out[field] = message
  return out
}

/** The local paths of the finished uploads (the photos' previews). */
export function donePaths(uploads: Partial<Record<ImageField, UploadState>>): Partial<Record<ImageField, string>> {
  const out: Partial<Record<ImageField, string>> = {}
  for (const [field, u] of Object.entries(uploads)) if (u?.status === 'done') out[field as ImageField] = u.path
  return out
}

/** Upload states for the photos a restored form already has (a preview path when one was kept). */
export function restoreUploads(values: Values, paths: Partial<Record<ImageField, string>> = {}): Partial<Record<ImageField, UploadState>> {
  const out: Partial<Record<ImageField, UploadState>> = {}
  for (const field of IMAGE_FIELDS) if (values[field]) out[field] = { status: 'done', path: paths[field] ?? '' }
  return out
}

/** Restores a stored draft, or null when there is none (or it is unreadable). */
export function readDraft(storage: KeyValueStorage, key: string): Draft | null {
  try {
    const raw = storage.get(key)
    if (!raw) return null
    const draft = JSON.parse(raw) as Draft
    if (!draft || typeof draft.values !== 'object' || !STEPS.includes(draft.step)) return null
    return { ...draft, values: { ...emptyValues(), ...draft.values }, uploads: draft.uploads ?? {} }
  } catch {
    return null
  }
}

/** Whether the form holds nothing the user entered. */
export const isBlank = (values: Values) => {
  const empty = emptyValues()
  return (Object.keys(values) as FieldPath[]).every((k) => values[k] === empty[k])
}
