import { Button, Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro'
import { PagePaySheet } from '@/components/page-pay-sheet'
import { progressText } from '@/components/progress-text'
import { StatusBadge } from '@/components/status-badge'
import { usePayFlow } from '@/hooks/use-pay-flow'
import { formatYuan } from '@/lib/money'
import { CHECKOUT_PAGE } from '@/lib/routes'
import { formatChinaTime } from '@/lib/time'
import type { Order } from '@/services/types'
import { useActions, useOrdersStore, usePaymentStore } from '@/store'
import { isBusy } from '@/store/settle'
import './index.scss'

/** The user's orders, newest first; tap an unpaid one to pay it (same order). */
export default function OrdersPage() {
  const status = useOrdersStore((s) => s.status)
  const orders = useOrdersStore((s) => s.orders)
  const error = useOrdersStore((s) => s.error)
  const { load } = useActions('orders')
  const phase = usePaymentStore((s) => s.phase)
  const payingOrderNo = usePaymentStore((s) => s.order?.orderNo)
  const { payOrder } = useActions('payment')
  const flow = usePayFlow()
  const busy = isBusy(phase)

  useDidShow(() => { void load() })
  usePullDownRefresh(() => { void load().finally(() => Taro.stopPullDownRefresh()) })

  const pay = (order: Order) => {
    if (order.status !== 'unpaid' || busy) return
    flow.start(() => payOrder(order))
  }

  const progress = progressText(phase, true)

  return (
    <View className='orders'>
      {busy && progress && <View id='orders-progress' className='orders__banner'><Text>{progress}</Text></View>}

      {status === 'error' && (
        <View className='orders__state orders__state--error'>
          <Text id='orders-error'>{error?.message ?? '订单加载失败'}</Text>
          <Button id='orders-reload' className='orders__reload' size='mini' onClick={() => void load()}>重新加载</Button>
        </View>
      )}

      {status === 'loading' && orders.length === 0 && (
        <View id='orders-loading' className='orders__state'><Text>加载中…</Text></View>
      )}

      {status === 'ready' && orders.length === 0 && (
        <View id='orders-empty' className='orders__state'>
          <Text>还没有订单</Text>
          <View className='link' onClick={() => void Taro.reLaunch({ url: CHECKOUT_PAGE })}><Text>去下单</Text></View>
        </View>
      )}

      {orders.map((order) => (
        <View
          key={order.orderNo}
          id={`order-${order.orderNo}`}
          className={`order-item order-item--${order.status}${busy && payingOrderNo === order.orderNo ? ' order-item--paying' : ''}`}
          onClick={() => pay(order)}
        >
          <View className='order-item__main'>
            <Text className='order-item__description'>{order.description}</Text>
            <Text className='order-item__amount'>{formatYuan(order.amount)}</Text>
          </View>
          <View className='order-item__meta'>
            <Text className='order-item__time'>{formatChinaTime(order.createdAt)}</Text>
            <StatusBadge status={order.status} />
          </View>
          <Text className='order-item__no'>订单号 {order.orderNo}</Text>
          {order.status === 'unpaid' && <Text className='order-item__hint'>点击继续支付</Text>}
          {order.refundedAmount > 0 && order.status === 'paid' && (
            <Text className='order-item__hint'>已退款 {formatYuan(order.refundedAmount)}</Text>
          )}
        </View>
      ))}

      <PagePaySheet visible={flow.ownsSheet} />
    </View>
  )
}
