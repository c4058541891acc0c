import { useEffect, useRef } from 'react'
import Taro from '@tarojs/taro'
import { RESULT_PAGE } from '@/lib/routes'
import { isFinal } from '@/store/settle'
import { usePaymentStore } from '@/store'

// The page instance that started the payment in flight. Only it renders the pay sheet: Taro's H5
// runtime keeps pages below the top one in the DOM, and one sheet (one set of ids) is what a user,
// and a browser test, must see.
let sheetOwner: symbol | null = null

export interface PayFlow {
  /** Runs `action` (a store action that pays) as this page's payment. */
  start(action: () => Promise<void>): void
  /** Whether this page shows the pay sheet of the payment in flight. */
  ownsSheet(): boolean
}

/**
 * A page's handle on payments it starts: when one reaches a final phase the result page opens,
 * replacing the stack (reLaunch), so there is one result page whatever page the payment began on.
 * The result page itself passes `{ openResult: false }`: it shows the outcome where it is.
 */
export function usePayFlow({ openResult = true }: { openResult?: boolean } = {}): PayFlow {
  const self = useRef(Symbol('page')).current
  const phase = usePaymentStore((s) => s.phase)
  const awaitingResult = useRef(false)
  useEffect(() => {
    if (awaitingResult.current && isFinal(phase)) {
      awaitingResult.current = false
      void Taro.reLaunch({ url: RESULT_PAGE })
    }
  }, [phase])
  useEffect(() => () => { if (sheetOwner === self) sheetOwner = null }, [self])
  return {
    start(action) {
      sheetOwner = self
      awaitingResult.current = openResult
      void action()
    },
    ownsSheet: () => sheetOwner === self,
  }
}
