// Renders a page with stores built from the real in-app mock backend (no latency) and the real
// simulated pay sheet, the way a development build wires them.
import { render } from '@testing-library/react'
import type { ReactElement } from 'react'
import { PaySheet } from '@/components/pay-sheet'
import { createPaySheetStore } from '@/services/pay-sheet-store'
import { createSimulatedPaymentDriver } from '@/services/simulated-driver'
import type { PaymentDriver } from '@/services/types'
import { StoresProvider, type AppStores } from '@/store'
import { createOrdersStore } from '@/store/orders'
import { createPaymentStore } from '@/store/payment'
import { instantBackend } from './fakes'

export function renderPage(page: ReactElement, { pay }: { pay?: PaymentDriver } = {}) {
  const backend = instantBackend()
  const sheet = createPaySheetStore()
  const driver = pay ?? createSimulatedPaymentDriver({ sheet, complete: backend.completePayment })
  const stores: AppStores = {
    payment: createPaymentStore({ backend, pay: driver, sleep: async () => {}, newRequestId: () => `req-page-${Math.random().toString(36).slice(2, 10)}` }),
    orders: createOrdersStore({ backend }),
    paySheet: { store: sheet, Component: PaySheet, note: '开发环境模拟支付，不会产生真实扣款' },
  }
  const view = render(<StoresProvider stores={stores}>{page}</StoresProvider>)
  return { ...view, stores, backend, sheet }
}
