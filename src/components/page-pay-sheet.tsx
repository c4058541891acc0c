import { useStore } from 'zustand'
import type { PaySheetUi } from '@/services/pay-sheet-store'
import { useAppStores, usePaymentStore } from '@/store'

/** Renders the simulated pay sheet (when the build has one) if `visible` says this page owns it. */
export function PagePaySheet({ visible }: { visible: () => boolean }) {
  const { paySheet } = useAppStores()
  if (!paySheet) return null
  return <OwnedSheet ui={paySheet} visible={visible} />
}

function OwnedSheet({ ui, visible }: { ui: PaySheetUi; visible: () => boolean }) {
  const open = useStore(ui.store, (s) => s.payment !== null)
  const amountFen = usePaymentStore((s) => s.order?.amount)
  const description = usePaymentStore((s) => s.order?.description)
  if (!open || !visible()) return null
  const { Component, store, note } = ui
  return <Component sheet={store} amountFen={amountFen} description={description} note={note} />
}
