import { useState } from 'react'
import { useDidHide, useDidShow } from '@tarojs/taro'

/**
 * Whether this page is the one on screen. Taro's H5 runtime keeps pages below the top one in the
 * DOM (hidden), so overlays such as the pay sheet render only on the visible page: one sheet, one
 * set of ids, whatever the page stack.
 */
export function usePageVisible(): boolean {
  const [visible, setVisible] = useState(true)
  useDidShow(() => setVisible(true))
  useDidHide(() => setVisible(false))
  return visible
}
