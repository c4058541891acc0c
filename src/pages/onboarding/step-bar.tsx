import { Text, View } from '@tarojs/components'
import { STEPS, STEP_TITLES, type Step } from '@/store/onboarding-fields'

/** The step indicator: numbered steps, the current one highlighted, the ones before it ticked, a step with a shown problem marked. */
export function StepBar({ step, flagged = [] }: { step: Step; flagged?: readonly Step[] }) {
  const current = STEPS.indexOf(step)
  return (
    <View className='step-bar' id='step-bar'>
      {STEPS.map((s, i) => (
        <View key={s} id={`step-${s}`} className={`step-bar__item${i === current ? ' step-bar__item--active' : ''}${i < current ? ' step-bar__item--done' : ''}${flagged.includes(s) ? ' step-bar__item--flagged' : ''}`}>
          <Text className='step-bar__dot'>{flagged.includes(s) ? '!' : i < current ? '✓' : String(i + 1)}</Text>
          <Text className='step-bar__name'>{STEP_TITLES[s]}</Text>
        </View>
      ))}
    </View>
  )
}
