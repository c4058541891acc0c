import { Button, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { QrCode } from '@/components/qr-code'
import { formatYuan } from '@/lib/money'
import { CHECKOUT_PAGE, ONBOARDING_PAGE, shopCheckoutPath } from '@/lib/routes'
import { formatChinaTime } from '@/lib/time'
import type { Application } from '@/services/types'
import { isFieldPath, fieldInfo } from '@/store/onboarding-fields'
import { useOnboardingStore } from '@/store'

/** The label of a rejected field (`idCard.number` → 身份证号码), or the server's path when the form has no such field. */
const fieldLabel = (field: string) => (isFieldPath(field) ? fieldInfo(field).label : field)

/** What the applicant has to do (or can do) in the application's state. */
export function StatePanel({ application: a }: { application: Application }) {
  const reopen = useOnboardingStore((s) => s.reopen)
  if (a.state === 'rejected') {
    return (
      <View id='rejections' className='panel panel--warn'>
        <Text className='panel__title'>审核未通过，请按以下原因修改</Text>
        {(a.rejections ?? []).map((r, i) => (
          <View key={`${r.field}-${i}`} className='rejection' id={`rejection-${r.field.replace(/\./g, '-')}`}>
            <Text className='rejection__field'>{fieldLabel(r.field)}</Text>
            <Text className='rejection__reason'>{r.reason}</Text>
          </View>
        ))}
        <Button id='resubmit-button' className='panel__button' type='primary' onClick={() => { reopen(a); void Taro.navigateTo({ url: ONBOARDING_PAGE }) }}>修改并重新提交</Button>
      </View>
    )
  }
  if (a.state === 'need_sign' && a.signUrl) {
    const signUrl = a.signUrl
    return (
      <View id='sign' className='panel'>
        <Text className='panel__title'>资料已审核通过，请完成签约</Text>
        <Text className='panel__text'>请超级管理员（{a.masked.idCardName}，{a.masked.mobile}）用微信扫描下方二维码，按提示确认签约。签约完成后即可开始收款。</Text>
        <QrCode id='sign-qr' text={signUrl} sizePx={200} />
        <Text id='sign-url' className='panel__url'>{signUrl}</Text>
        <Button id='copy-sign-link' className='panel__button' onClick={() => void Taro.setClipboardData({ data: signUrl })}>复制链接</Button>
        <Text className='panel__hint'>也可以复制链接，在微信中发给超级管理员后打开。</Text>
      </View>
    )
  }
  if (a.state === 'account_need_verify') {
    const v = a.accountValidation
    return (
      <View id='account-verify' className='panel'>
        <Text className='panel__title'>请验证结算账户</Text>
        {v ? (
          <>
            <Text className='panel__text'>请用您填写的结算账户（{a.masked.accountNumber}）向以下账户转账 {formatYuan(v.payAmount)}，微信支付收到后会自动继续审核，款项将原路退回。</Text>
            <View className='kv'><Text className='kv__k'>收款户名</Text><Text className='kv__v'>{v.destinationAccountName}</Text></View>
            <View className='kv'><Text className='kv__k'>收款账号</Text><Text className='kv__v'>{v.destinationAccountNumber}</Text></View>
            <View className='kv'><Text className='kv__k'>开户银行</Text><Text className='kv__v'>{v.destinationAccountBank}</Text></View>
            {v.city && <View className='kv'><Text className='kv__k'>所在城市</Text><Text className='kv__v'>{v.city}</Text></View>}
            {v.remark && <View className='kv'><Text className='kv__k'>转账备注</Text><Text className='kv__v'>{v.remark}（必须填写）</Text></View>}
            {v.deadline && <View className='kv'><Text className='kv__k'>截止时间</Text><Text className='kv__v'>{formatChinaTime(v.deadline)}</Text></View>}
          </>
        ) : <Text className='panel__text'>微信支付需要验证结算账户，请稍后刷新查看转账信息。</Text>}
        {a.legalValidationUrl && (
          <>
            <Text className='panel__text'>或请经营者/法定代表人用微信扫码完成身份验证：</Text>
            <QrCode id='legal-qr' text={a.legalValidationUrl} sizePx={180} />
          </>
        )}
      </View>
    )
  }
  if (a.state === 'finished' && a.shopId) {
    const shopId = a.shopId
    return (
      <View id='shop' className='panel panel--ok'>
        <Text className='panel__title'>已开通收款</Text>
        <Text className='panel__text'>顾客用微信扫描本店收款码，即可在小程序里向本店付款。</Text>
        <QrCode id='shop-qr' text={shopCheckoutPath(shopId)} sizePx={200} caption={a.merchantShortname} />
        <Text id='shop-path' className='panel__url'>{shopCheckoutPath(shopId)}</Text>
        <Button id='open-shop-checkout' className='panel__button' onClick={() => void Taro.navigateTo({ url: `${CHECKOUT_PAGE}?shopId=${encodeURIComponent(shopId)}` })}>打开本店收银台</Button>
      </View>
    )
  }
  const text: Partial<Record<Application['state'], string>> = {
    submitting: '申请已提交，正在等待微信支付受理。',
    checking: '微信支付正在校验资料，通常几分钟内完成。',
    auditing: '微信支付正在审核，通常 1–3 个工作日内完成。',
    frozen: '该商户已被冻结，请联系平台客服。',
    canceled: '该申请已作废。如需开通收款，请重新申请。',
    failed: '微信支付未受理该申请，请联系平台客服，或重新申请。',
  }
  return text[a.state] ? <View id='state-note' className='panel'><Text className='panel__text'>{text[a.state]}</Text></View> : null
}
