import { Button, Text, View } from '@tarojs/components'
import { APPLICATION_STATE_TEXT, ORGANIZATION_TYPE_LABELS } from '@/contract/constants'
import { formatChinaTime } from '@/lib/time'
import type { Application } from '@/services/types'
import { useOnboardingStore } from '@/store'
import { StatePanel } from './state-panel'
import { timeline } from './timeline'

/** The next state of the simulated review (npm run dev only). */
const NEXT: Partial<Record<Application['state'], Application['state']>> = {
  submitting: 'checking', checking: 'auditing', account_need_verify: 'auditing', auditing: 'need_sign', need_sign: 'finished',
}

/** One application: who, the timeline of states, what to do now. */
export function ApplicationDetail({ application: a, onReload }: { application: Application; onReload: () => void }) {
  const simulate = useOnboardingStore((s) => s.simulateReview)
  const move = (to: Application['state']) => {
    if (simulate) void simulate(a.applicationNo, to).then(onReload)
  }
  return (
    <View className='detail'>
      <View className='detail__head'>
        <Text className='detail__name'>{a.merchantShortname}</Text>
        <Text id='application-state' className={`state-badge state-badge--${a.state}`}>{a.stateText}</Text>
      </View>
      <Text className='detail__meta'>{ORGANIZATION_TYPE_LABELS[a.organizationType]} · 申请单号 {a.applicationNo}</Text>
      <Text className='detail__meta'>提交于 {formatChinaTime(a.createdAt)} · 更新于 {formatChinaTime(a.updatedAt)}</Text>

      <View id='timeline' className='timeline'>
        {timeline(a.state).map((e) => (
          <View key={e.state} className={`timeline__item timeline__item--${e.status}`}>
            <Text className='timeline__dot'>{e.status === 'done' ? '✓' : e.status === 'stopped' ? '!' : '•'}</Text>
            <Text className='timeline__text'>{e.text}</Text>
          </View>
        ))}
      </View>

      <StatePanel application={a} />

      <View className='panel'>
        <Text className='panel__title'>申请资料（部分隐藏）</Text>
        <View className='kv'><Text className='kv__k'>身份证姓名</Text><Text className='kv__v'>{a.masked.idCardName}</Text></View>
        <View className='kv'><Text className='kv__k'>身份证号码</Text><Text id='masked-id' className='kv__v'>{a.masked.idCardNumber}</Text></View>
        <View className='kv'><Text className='kv__k'>结算账号</Text><Text className='kv__v'>{a.masked.accountNumber}</Text></View>
        <View className='kv'><Text className='kv__k'>手机号码</Text><Text className='kv__v'>{a.masked.mobile}</Text></View>
        {a.subMchid && <View className='kv'><Text className='kv__k'>微信支付商户号</Text><Text className='kv__v'>{a.subMchid}</Text></View>}
      </View>

      {simulate && (NEXT[a.state] || !['finished', 'rejected', 'canceled'].includes(a.state)) && (
        <View id='dev-review' className='panel panel--dev'>
          <Text className='panel__title'>开发模式：模拟微信支付审核</Text>
          <View className='dev-buttons'>
            {NEXT[a.state] && <Button id='dev-next' size='mini' onClick={() => move(NEXT[a.state]!)}>推进到「{APPLICATION_STATE_TEXT[NEXT[a.state]!]}」</Button>}
            {!['finished', 'rejected', 'canceled'].includes(a.state) && <Button id='dev-reject' size='mini' onClick={() => move('rejected')}>驳回</Button>}
            {['checking', 'submitting'].includes(a.state) && <Button id='dev-verify' size='mini' onClick={() => move('account_need_verify')}>要求账户验证</Button>}
          </View>
        </View>
      )}
    </View>
  )
}
