import { Button, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { fieldError } from '@/store/onboarding'
import { STEPS, STEP_TITLES, visibleFields, type Step } from '@/store/onboarding-fields'
import { useActions, useOnboardingStore } from '@/store'
import { applicationPage } from '@/lib/routes'
import { FormField } from './form-field'
import { ReviewStep } from './review-step'
import { StepBar } from './step-bar'
import './index.scss'

/** The application form: four steps and a review, a draft kept on the device, every problem named under its field. */
export default function OnboardingPage() {
  const step = useOnboardingStore((s) => s.step)
  const values = useOnboardingStore((s) => s.values)
  const notice = useOnboardingStore((s) => s.notice)
  const editing = useOnboardingStore((s) => s.editing)
  const submitting = useOnboardingStore((s) => s.submitting)
  const submitError = useOnboardingStore((s) => s.submitError)
  const uploading = useOnboardingStore((s) => Object.values(s.uploads).some((u) => u?.status === 'uploading'))
  const problems = useOnboardingStore((s) => Object.keys(s.errors).length)
  // Steps with a message on screen (a server's, a rejection's, or a rule's on a touched field), joined so the selection is a primitive.
  const flagged = useOnboardingStore((s) => STEPS.filter((st) => st !== 'review' && visibleFields(s.values, st).some((p) => fieldError(s, p))).join(',')).split(',') as Step[]
  const { next, back, submit, startNew } = useActions('onboarding')

  const goNext = () => {
    if (next()) void Taro.pageScrollTo?.({ scrollTop: 0, duration: 0 })
  }
  const send = async () => {
    const application = await submit()
    if (application) void Taro.redirectTo({ url: applicationPage(application.applicationNo) })
  }

  return (
    <View className='onboarding'>
      <StepBar step={step} flagged={flagged} />
      {editing && <View id='editing-banner' className='banner banner--info'><Text>正在修改申请 {editing}，修改后重新提交</Text></View>}
      {notice && <View id='onboarding-notice' className='banner'><Text>{notice}</Text></View>}

      <View className='onboarding__card'>
        <Text id='step-title' className='onboarding__title'>{STEP_TITLES[step]}</Text>
        {step === 'review' ? <ReviewStep /> : visibleFields(values, step).map((path) => <FormField key={path} path={path} />)}
      </View>

      {submitError && submitError.code !== 'INVALID_APPLICATION' && (
        <View id='submit-error' className='banner banner--error'><Text>{submitError.message}</Text></View>
      )}

      <View className='onboarding__actions'>
        {step !== 'type' && <Button id='back-button' className='onboarding__back' disabled={submitting} onClick={back}>上一步</Button>}
        {step !== 'review' && <Button id='next-button' className='onboarding__next' type='primary' disabled={uploading} onClick={goNext}>下一步</Button>}
        {step === 'review' && (
          // No `loading` prop: toggling it makes Taro's H5 button fail to patch its children (insertBefore).
          <Button id='submit-button' className='onboarding__next' type='primary' disabled={submitting || uploading || problems > 0} onClick={() => void send()}>
            {submitting ? '正在提交…' : editing ? '重新提交' : '提交申请'}
          </Button>
        )}
      </View>
      {step === 'review' && problems > 0 && <Text id='review-problems' className='onboarding__problems'>还有 {problems} 项需要填写或修改</Text>}
      {(step === 'type' && (editing || values.organizationType)) ? (
        <View id='start-new' className='link' onClick={startNew}><Text>清空并重新填写</Text></View>
      ) : null}
    </View>
  )
}
