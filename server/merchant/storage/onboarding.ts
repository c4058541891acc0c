/**
 * Storage of the platform half (platform.md): onboarding applications and the shops they become.
 * Personal data lives only in `sealed` (AES-256-GCM, see services/applications/sealed.ts).
 */

import type { ApplicationState } from '../../../src/contract/constants'

export { FINAL_APPLICATION_STATES, type ApplicationState } from '../../../src/contract/constants'

export interface ApplicationRecord {
  applicationNo: string
  userId: string
  requestId: string
  /** out_request_no at WeChat Pay; kept across a resubmission after a rejection. */
  outRequestNo: string
  organizationType: string
  merchantShortname: string
  state: ApplicationState
  /** WeChat Pay's applyment_state_desc, or its refusal message when `failed`. */
  stateDesc: string | null
  applymentId: string | null
  subMchid: string | null
  shopId: string | null
  signUrl: string | null
  legalValidationUrl: string | null
  /** JSON of the account-verification instructions (no ciphertext kept). */
  accountValidation: string | null
  /** JSON `[{ field, reason }]` (rejection, or the refusal of a submission). */
  rejections: string | null
  /** The whole request body, sealed with the data key (associated data: applicationNo). */
  sealed: string
  createdAt: number
  updatedAt: number
  /** Last time WeChat Pay was asked (read throttle). */
  lastQueriedAt: number | null
}

export interface ShopRecord {
  shopId: string
  subMchid: string
  name: string
  subAppId: string | null
  applicationNo: string | null
  createdAt: number
}

export interface ApplicationRepository {
  insert(a: ApplicationRecord): Promise<void>
  get(applicationNo: string): Promise<ApplicationRecord | undefined>
  findByRequest(userId: string, requestId: string): Promise<ApplicationRecord | undefined>
  /** Newest first. */
  listByUser(userId: string, limit: number): Promise<ApplicationRecord[]>
  /** Newest first. */
  listAll(limit: number): Promise<ApplicationRecord[]>
  /** Not final, least recently queried first. */
  listOpen(limit: number): Promise<ApplicationRecord[]>
  update(applicationNo: string, patch: Partial<Omit<ApplicationRecord, 'applicationNo'>>): Promise<void>
}

export interface ShopRepository {
  insert(s: ShopRecord): Promise<void>
  get(shopId: string): Promise<ShopRecord | undefined>
  findBySubMchid(subMchid: string): Promise<ShopRecord | undefined>
}
