// Renders a page with stores built from the real in-app mock backend (no latency) and the real
// simulated pay sheet, the way a development build wires them.
import { render } from '@testing-library/react'
import type { ReactElement } from 'react'
import { PaySheet } from '@/components/pay-sheet'
import { createPaySheetStore } from '@/services/pay-sheet-store'
import { createSimulatedPaymentDriver } from '@/services/simulated-driver'
import { createMemoryStorage, type ChooseImage, type KeyValueStorage, type PaymentDriver } from '@/services/types'
import { StoresProvider, type AppStores } from '@/store'
import { createOnboardingStore } from '@/store/onboarding'
import { createOrdersStore } from '@/store/orders'
import { createPaymentStore } from '@/store/payment'
import { createShopStore } from '@/store/shop'
import { instantBackend } from './fakes'

export interface RenderOptions {
  pay?: PaymentDriver
  /** The photo picker (default: the user cancels). */
  chooseImage?: ChooseImage
  /** The device storage the onboarding draft lives in. */
  storage?: KeyValueStorage
  backend?: ReturnType<typeof instantBackend>
}

export function renderPage(page: ReactElement, { pay, chooseImage = async () => null, storage = createMemoryStorage(), backend = instantBackend() }: RenderOptions = {}) {
  const sheet = createPaySheetStore()
  const driver = pay ?? createSimulatedPaymentDriver({ sheet, complete: backend.completePayment })
  const stores: AppStores = {
    payment: createPaymentStore({ backend, pay: driver, sleep: async () => {}, newRequestId: () => `req-page-${Math.random().toString(36).slice(2, 10)}` }),
    orders: createOrdersStore({ backend }),
    onboarding: createOnboardingStore({ backend, storage, chooseImage, simulateReview: backend.advanceApplication, today: () => '2026-12-01' }),
    shop: createShopStore({ backend }),
    paySheet: { store: sheet, Component: PaySheet, note: '开发环境模拟支付，不会产生真实扣款' },
  }
  const view = render(<StoresProvider stores={stores}>{page}</StoresProvider>)
  return { ...view, stores, backend, sheet, storage }
}
