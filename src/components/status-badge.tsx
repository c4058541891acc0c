import { Text } from '@tarojs/components'
import { ORDER_STATUS_LABELS, type OrderStatus } from '@/contract/constants'

/** Chinese label of each order status (one list, in the contract). */
export const STATUS_LABELS = ORDER_STATUS_LABELS

/** A colored badge with the order's status. */
export function StatusBadge({ status }: { status: OrderStatus }) {
  return <Text className={`status-badge status-badge--${status}`}>{STATUS_LABELS[status] ?? status}</Text>
}
