import { usePageVisible } from '@/hooks/use-page-visible'
import { useAppStores, usePaymentStore } from '@/store'

/** Renders the simulated pay sheet (when the build has one) on the visible page only. */
export function PagePaySheet() {
  const { paySheet } = useAppStores()
  const visible = usePageVisible()
  const amountFen = usePaymentStore((s) => s.order?.amount)
  const description = usePaymentStore((s) => s.order?.description)
  if (!paySheet || !visible) return null
  const { Component, store, note } = paySheet
  return <Component sheet={store} amountFen={amountFen} description={description} note={note} />
}
