import { Text } from '@tarojs/components'
import type { OrderStatus } from '@/services/types'

/** Chinese label of each order status. */
export const STATUS_LABELS: Record<OrderStatus, string> = {
  unpaid: '待支付',
  paid: '已支付',
  closed: '已关闭',
  refunded: '已退款',
  failed: '失败',
}

/** A colored badge with the order's status. */
export function StatusBadge({ status }: { status: OrderStatus }) {
  return <Text className={`status-badge status-badge--${status}`}>{STATUS_LABELS[status] ?? status}</Text>
}
