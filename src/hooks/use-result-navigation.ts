import { useEffect, useRef } from 'react'
import Taro from '@tarojs/taro'
import { RESULT_PAGE } from '@/lib/routes'
import { isFinal } from '@/store/settle'
import { usePaymentStore } from '@/store'

/**
 * Opens the result page when a payment this page started reaches a final phase. The result page
 * replaces the stack (reLaunch): one result page at a time, whatever page the payment began on.
 * Returns `arm`, to call right before starting the payment.
 */
export function useResultNavigation(): () => void {
  const phase = usePaymentStore((s) => s.phase)
  const armed = useRef(false)
  useEffect(() => {
    if (armed.current && isFinal(phase)) {
      armed.current = false
      void Taro.reLaunch({ url: RESULT_PAGE })
    }
  }, [phase])
  return () => { armed.current = true }
}
