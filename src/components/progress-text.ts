import type { Phase } from '@/store/settle'

/** What the UI says while a checkout is in flight; null when nothing is in flight. */
export function progressText(phase: Phase, hasOrder: boolean): string | null {
  if (phase === 'creating') return hasOrder ? '正在准备支付…' : '正在创建订单…'
  if (phase === 'paying') return '等待支付…'
  if (phase === 'confirming') return '正在确认…'
  return null
}
