import { Button, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { PagePaySheet } from '@/components/page-pay-sheet'
import { progressText } from '@/components/progress-text'
import { usePayFlow } from '@/hooks/use-pay-flow'
import { formatYuan } from '@/lib/money'
import { CHECKOUT_PAGE, ORDERS_PAGE } from '@/lib/routes'
import { formatChinaTime } from '@/lib/time'
import { useActions, usePaymentStore } from '@/store'
import { isFinal } from '@/store/settle'
import './index.scss'

const TITLES = {
  succeeded: '支付成功',
  cancelled: '已取消支付',
  failed: '支付失败',
  pending: '支付结果确认中',
} as const

/** Outcome of the current payment; retry / confirm act on the same order. */
export default function ResultPage() {
  const phase = usePaymentStore((s) => s.phase)
  const order = usePaymentStore((s) => s.order)
  const error = usePaymentStore((s) => s.error)
  const { retry, confirm, reset } = useActions('payment')
  const flow = usePayFlow({ openResult: false })

  const goOrders = () => void Taro.navigateTo({ url: ORDERS_PAGE })
  const newCheckout = () => {
    reset()
    void Taro.reLaunch({ url: CHECKOUT_PAGE })
  }
  const ordersLink = (
    <View id='orders-link' className='link' onClick={goOrders}><Text>我的订单</Text></View>
  )

  if (phase === 'idle') {
    return (
      <View className='result'>
        <Text id='result-title' className='result__title'>没有进行中的支付</Text>
        <Button className='result__action' type='primary' onClick={newCheckout}>去收银台</Button>
        {ordersLink}
      </View>
    )
  }

  if (!isFinal(phase)) {
    return (
      <View className='result'>
        <Text id='result-title' className='result__title'>{progressText(phase, order !== null)}</Text>
        {order && <Text className='result__amount'>{formatYuan(order.amount)}</Text>}
        <PagePaySheet visible={flow.ownsSheet} />
      </View>
    )
  }

  // A retry is possible while the order is still unpaid (or when no order was made yet).
  const retryable = !order || order.status === 'unpaid'

  return (
    <View className={`result result--${phase}`}>
      <View className={`result__icon result__icon--${phase}`} />
      <Text id='result-title' className='result__title'>{TITLES[phase]}</Text>
      {order && <Text id='result-amount' className='result__amount'>{formatYuan(order.amount)}</Text>}

      {phase === 'succeeded' && order && (
        <View className='result__details'>
          <View className='result__row'><Text className='result__key'>商品</Text><Text>{order.description}</Text></View>
          <View className='result__row'><Text className='result__key'>订单号</Text><Text id='result-order-no'>{order.orderNo}</Text></View>
          <View className='result__row'><Text className='result__key'>支付时间</Text><Text id='result-paid-at'>{formatChinaTime(order.paidAt)}</Text></View>
        </View>
      )}

      {phase === 'cancelled' && <Text className='result__message'>订单已保留，可以继续支付。</Text>}

      {phase === 'failed' && <Text id='result-reason' className='result__message result__message--error'>{error?.message ?? '支付失败'}</Text>}

      {phase === 'pending' && (
        <Text id='result-reason' className='result__message'>
          {error?.message ?? '暂未确认到支付结果'}。如果已经付款，请不要重复支付：订单会在微信支付通知到达后变为「已支付」，可以在「我的订单」中查看。
        </Text>
      )}

      {order && phase !== 'succeeded' && <Text className='result__order-no'>订单号 {order.orderNo}</Text>}

      {phase === 'succeeded' && <Button className='result__action' type='primary' onClick={newCheckout}>完成</Button>}
      {phase === 'cancelled' && retryable && (
        <Button id='retry-button' className='result__action' type='primary' onClick={() => flow.start(retry)}>继续支付</Button>
      )}
      {phase === 'failed' && retryable && (
        <Button id='retry-button' className='result__action' type='primary' onClick={() => flow.start(retry)}>重试</Button>
      )}
      {phase === 'pending' && (
        <Button id='confirm-button' className='result__action' type='primary' onClick={() => flow.start(confirm)}>查询结果</Button>
      )}
      {phase !== 'succeeded' && <Button className='result__action' onClick={newCheckout}>返回收银台</Button>}
      {ordersLink}
      <PagePaySheet visible={flow.ownsSheet} />
    </View>
  )
}
