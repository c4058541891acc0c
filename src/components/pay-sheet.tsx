// The simulated WeChat pay sheet (development and emulator builds only; the composition root
// requires this file inside the branch that a wechat production build drops).
import { Button, Text, View } from '@tarojs/components'
import { useStore } from 'zustand'
import { formatYuan } from '@/lib/money'
import type { PaySheetProps } from '@/services/pay-sheet-store'
import './pay-sheet.scss'

/** Bottom sheet with 确认支付 / 取消 / 模拟失败 while a payment waits for the user's answer. */
export function PaySheet({ sheet, amountFen, description, note }: PaySheetProps) {
  const payment = useStore(sheet, (s) => s.payment)
  const answer = useStore(sheet, (s) => s.answer)
  if (!payment) return null
  return (
    <View className='pay-sheet-mask'>
      <View className='pay-sheet' id='pay-sheet'>
        <Text className='pay-sheet__title'>微信支付（模拟）</Text>
        {amountFen !== undefined && <Text className='pay-sheet__amount'>{formatYuan(amountFen)}</Text>}
        {description && <Text className='pay-sheet__description'>{description}</Text>}
        <Text className='pay-sheet__note'>{note}</Text>
        <Text className='pay-sheet__package'>{payment.package}</Text>
        <Button id='sheet-confirm' className='pay-sheet__confirm' type='primary' onClick={() => answer('success')}>确认支付</Button>
        <View className='pay-sheet__row'>
          <Button id='sheet-cancel' className='pay-sheet__cancel' onClick={() => answer('cancel')}>取消</Button>
          <Button id='sheet-fail' className='pay-sheet__fail' onClick={() => answer('fail')}>模拟失败</Button>
        </View>
      </View>
    </View>
  )
}
