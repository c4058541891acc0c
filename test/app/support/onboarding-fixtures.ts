// Form values that pass the contract's rules, per organization type, and a helper that types them.
import type { FieldPath, Values } from '@/store/onboarding-fields'
import type { OnboardingStore } from '@/store/onboarding'

/** A 小微 applicant (2401), photos excluded (they come from uploads). */
export const MICRO: Partial<Values> = {
  organizationType: '2401',
  merchantShortname: '张三小吃',
  'idCard.name': '张三',
  'idCard.number': '11010519491231002X',
  'idCard.validFrom': '2020-01-01',
  'idCard.validUntil': '长期',
  'bankAccount.bank': '招商银行',
  'bankAccount.bankAddressCode': '110000',
  'bankAccount.accountName': '张三',
  'bankAccount.accountNumber': '6225880137706789',
  'store.name': '张三小吃店',
  'store.url': 'https://shop.example.com/zhangsan',
  'contact.name': '张三',
  'contact.mobile': '13800005678',
}

/** The photos a 小微 applicant needs. */
export const MICRO_PHOTOS: FieldPath[] = ['idCard.portraitMediaId', 'idCard.nationalMediaId']

/** Types `values` into the form, field by field, as a user would. */
export function fill(store: OnboardingStore, values: Partial<Values>) {
  for (const [path, value] of Object.entries(values)) store.getState().setField(path as FieldPath, value as string)
}

/** Fills the 小微 form (photos uploaded to `backend` directly) and submits it through the store. */
export async function submitMicro(store: OnboardingStore, backend: { uploadMedia(path: string): Promise<string> }) {
  fill(store, MICRO)
  fill(store, { 'idCard.portraitMediaId': await backend.uploadMedia('wxfile://tmp/p.jpg'), 'idCard.nationalMediaId': await backend.uploadMedia('wxfile://tmp/n.jpg') })
  const application = await store.getState().submit()
  if (!application) throw new Error(`submit refused: ${JSON.stringify(store.getState().errors)}`)
  return application
}
