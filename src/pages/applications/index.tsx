import { Button, Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh, useRouter } from '@tarojs/taro'
import { ORGANIZATION_TYPE_LABELS } from '@/contract/constants'
import { ONBOARDING_PAGE, applicationPage } from '@/lib/routes'
import { formatChinaTime } from '@/lib/time'
import { useOnboardingStore } from '@/store'
import { ApplicationDetail } from './application-detail'
import './index.scss'

/** The applicant's applications (no query), or the status of one (`?applicationNo=`). */
export default function ApplicationsPage() {
  const applicationNo = useRouter().params.applicationNo
  return applicationNo ? <One applicationNo={decodeURIComponent(applicationNo)} /> : <List />
}

function One({ applicationNo }: { applicationNo: string }) {
  const current = useOnboardingStore((s) => s.current)
  const open = useOnboardingStore((s) => s.openApplication)
  const reload = () => open(applicationNo)
  useDidShow(() => { void reload() })
  usePullDownRefresh(() => { void reload().finally(() => Taro.stopPullDownRefresh()) })
  const application = current.application?.applicationNo === applicationNo ? current.application : null

  return (
    <View className='applications'>
      {current.status === 'error' && (
        <View className='state state--error'>
          <Text id='application-error'>{current.error?.message ?? '加载失败'}</Text>
          <Button id='application-reload' size='mini' onClick={() => void reload()}>重新加载</Button>
        </View>
      )}
      {!application && current.status === 'loading' && <View className='state'><Text>加载中…</Text></View>}
      {application && <ApplicationDetail application={application} onReload={() => void reload()} />}
      {application && (
        <View id='refresh-status' className='link' onClick={() => void reload()}>
          <Text>{current.status === 'loading' ? '正在刷新…' : '刷新状态'}</Text>
        </View>
      )}
    </View>
  )
}

function List() {
  const applications = useOnboardingStore((s) => s.applications)
  const load = useOnboardingStore((s) => s.loadApplications)
  useDidShow(() => { void load() })
  usePullDownRefresh(() => { void load().finally(() => Taro.stopPullDownRefresh()) })
  const start = () => void Taro.navigateTo({ url: ONBOARDING_PAGE })

  return (
    <View className='applications'>
      <View className='intro'>
        <Text className='intro__title'>成为平台商户</Text>
        <Text className='intro__text'>提交主体、身份证件、结算账户和店铺信息，微信支付审核通过并签约后，即可在本小程序收款。</Text>
        <Button id='new-application' className='intro__button' type='primary' onClick={start}>申请入驻</Button>
      </View>
      {applications.status === 'error' && (
        <View className='state state--error'>
          <Text id='applications-error'>{applications.error?.message ?? '加载失败'}</Text>
          <Button id='applications-reload' size='mini' onClick={() => void load()}>重新加载</Button>
        </View>
      )}
      {applications.status === 'loading' && applications.list.length === 0 && <View className='state'><Text>加载中…</Text></View>}
      {applications.status === 'ready' && applications.list.length === 0 && <View id='applications-empty' className='state'><Text>还没有入驻申请</Text></View>}
      {applications.list.map((a) => (
        <View key={a.applicationNo} id={`application-${a.applicationNo}`} className='application-item' onClick={() => void Taro.navigateTo({ url: applicationPage(a.applicationNo) })}>
          <View className='application-item__main'>
            <Text className='application-item__name'>{a.merchantShortname}</Text>
            <Text className={`state-badge state-badge--${a.state}`}>{a.stateText}</Text>
          </View>
          <Text className='application-item__meta'>{ORGANIZATION_TYPE_LABELS[a.organizationType]} · {formatChinaTime(a.createdAt)}</Text>
          {a.state === 'rejected' && <Text className='application-item__hint'>未通过，点击查看原因并修改</Text>}
          {a.state === 'need_sign' && <Text className='application-item__hint'>待签约，点击查看签约二维码</Text>}
        </View>
      ))}
    </View>
  )
}
