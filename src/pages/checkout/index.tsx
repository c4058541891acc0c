import { useEffect, useState } from 'react'
import { Button, Input, Text, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { PagePaySheet } from '@/components/page-pay-sheet'
import { progressText } from '@/components/progress-text'
import { usePayFlow } from '@/hooks/use-pay-flow'
import { formatYuan, MAX_ORDER_FEN } from '@/lib/money'
import { APPLICATIONS_PAGE, ORDERS_PAGE } from '@/lib/routes'
import { DESCRIPTION_MAX_CHARS, countChars, validateAmount, validateDescription } from '@/lib/validation'
import { usePaymentStore, useShopStore } from '@/store'
import { isBusy } from '@/store/settle'
import './index.scss'

type InputEvent = { detail: { value: string } }

/** Checkout: amount in yuan + description, then pay. */
export default function CheckoutPage() {
  const [amountText, setAmountText] = useState('')
  const [descriptionText, setDescriptionText] = useState('')
  const [touched, setTouched] = useState({ amount: false, description: false })
  const phase = usePaymentStore((s) => s.phase)
  const hasOrder = usePaymentStore((s) => s.order !== null)
  const checkout = usePaymentStore((s) => s.checkout)
  // A shop's QR code opens pages/checkout/index?shopId=… (platform.md §Shops).
  const routeShopId = useRouter().params.shopId
  const shopId = routeShopId ? decodeURIComponent(routeShopId) : null
  const shopStatus = useShopStore((s) => s.status)
  const shop = useShopStore((s) => s.shop)
  const shopError = useShopStore((s) => s.error)
  const loadShop = useShopStore((s) => s.load)
  useEffect(() => { void loadShop(shopId) }, [shopId, loadShop])
  const flow = usePayFlow()

  const amount = validateAmount(amountText)
  const description = validateDescription(descriptionText)
  const busy = isBusy(phase)
  const shopReady = !shopId || shopStatus === 'ready'
  const valid = amount.ok && description.ok && shopReady
  const progress = progressText(phase, hasOrder)

  /** What the two inputs share: the id `<field>-input`, their text, disabled while busy, touched on blur. */
  const inputProps = (field: keyof typeof touched, value: string, setValue: (v: string) => void) => ({
    id: `${field}-input`,
    value,
    disabled: busy,
    onInput: (e: InputEvent) => setValue(e.detail.value),
    onBlur: () => setTouched((t) => ({ ...t, [field]: true })),
  })

  const pay = () => {
    if (!amount.ok || !description.ok || busy || !shopReady) return
    flow.start(() => checkout({ amountFen: amount.value, description: description.value, ...(shopId ? { shopId } : {}) }))
  }

  return (
    <View className='checkout'>
      {shopId && (
        <View id='shop-header' className='shop-header'>
          {shopStatus === 'ready' && shop && <Text id='shop-name' className='shop-header__name'>{shop.name}</Text>}
          {shopStatus === 'loading' && <Text className='shop-header__note'>正在加载店铺…</Text>}
          {shopStatus === 'error' && <Text id='shop-error' className='shop-header__error'>{shopError?.message ?? '店铺加载失败'}</Text>}
          {shopStatus === 'ready' && <Text className='shop-header__note'>向该店铺付款</Text>}
        </View>
      )}
      <View className='field'>
        <Text className='field__label'>金额</Text>
        <View className='field__row'>
          <Text className='field__prefix'>¥</Text>
          <Input className='field__input field__input--amount' type='digit' placeholder='0.00' maxlength={12} {...inputProps('amount', amountText, setAmountText)} />
        </View>
        {touched.amount && !amount.ok && <Text id='amount-error' className='field__error'>{amount.message}</Text>}
        <Text className='field__hint'>单笔最多 {formatYuan(MAX_ORDER_FEN)}</Text>
      </View>

      <View className='field'>
        <Text className='field__label'>商品描述</Text>
        <Input className='field__input' type='text' placeholder='例如：拿铁咖啡 大杯' maxlength={200} {...inputProps('description', descriptionText, setDescriptionText)} />
        <View className='field__row field__row--meta'>
          {touched.description && !description.ok
            ? <Text id='description-error' className='field__error'>{description.message}</Text>
            : <Text />}
          <Text id='description-counter' className={`field__counter ${countChars(descriptionText.trim()) > DESCRIPTION_MAX_CHARS ? 'field__counter--over' : ''}`}>
            {countChars(descriptionText.trim())}/{DESCRIPTION_MAX_CHARS}
          </Text>
        </View>
      </View>

      <Button id='pay-button' className='pay-button' type='primary' disabled={!valid || busy} onClick={pay}>
        {progress ?? (amount.ok ? `立即支付 ${formatYuan(amount.value)}` : '立即支付')}
      </Button>

      <View id='orders-link' className='link' onClick={() => void Taro.navigateTo({ url: ORDERS_PAGE })}>
        <Text>我的订单</Text>
      </View>

      <View id='onboarding-link' className='link link--minor' onClick={() => void Taro.navigateTo({ url: APPLICATIONS_PAGE })}>
        <Text>商户入驻</Text>
      </View>

      <PagePaySheet visible={flow.ownsSheet} />
    </View>
  )
}
