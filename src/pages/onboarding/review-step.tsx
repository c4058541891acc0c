import { Text, View } from '@tarojs/components'
import { maskAccount, maskIdNumber, maskMobile, maskName } from '@/contract/application-rules'
import { STEPS, STEP_TITLES, fieldInfo, visibleFields, type FieldPath, type Values } from '@/store/onboarding-fields'
import { useOnboardingStore } from '@/store'
import { FIELD_KINDS, fieldId } from './field-config'

const MASKS = { name: maskName, id: maskIdNumber, account: maskAccount, mobile: maskMobile }

/** What the review step shows for a field: choices by their label, photos as uploaded or not, personal data masked. */
function shown(values: Values, path: FieldPath): string {
  const value = values[path].trim()
  const kind = FIELD_KINDS[path]
  if (kind.kind === 'image') return value ? '已上传' : '未上传'
  if (!value) return '未填写'
  if (kind.kind === 'choice') return kind.options.find((o) => o.value === value)?.label ?? value
  const mask = fieldInfo(path).mask
  return mask ? MASKS[mask](value) : value
}

/** The last step: everything entered, grouped by step (personal data masked), with 修改 per group and any problem left. */
export function ReviewStep() {
  const values = useOnboardingStore((s) => s.values)
  const errors = useOnboardingStore((s) => s.errors)
  const serverErrors = useOnboardingStore((s) => s.serverErrors)
  const rejected = useOnboardingStore((s) => s.rejected)
  const goTo = useOnboardingStore((s) => s.goTo)
  return (
    <View className='review'>
      <Text className='review__intro'>请核对以下信息，提交后将由微信支付审核。身份证号、银行账号和手机号仅显示部分。</Text>
      {STEPS.filter((s) => s !== 'review').map((step) => (
        <View key={step} className='review__group' id={`review-${step}`}>
          <View className='review__head'>
            <Text className='review__title'>{STEP_TITLES[step]}</Text>
            <Text id={`edit-${step}`} className='review__edit' onClick={() => goTo(step)}>修改</Text>
          </View>
          {visibleFields(values, step).map((path) => {
            const problem = serverErrors[path] ?? errors[path] ?? rejected[path]
            return (
              <View key={path} className='review__row' id={fieldId(path, 'r')}>
                <Text className='review__label'>{fieldInfo(path).label}</Text>
                <Text className={`review__value${problem ? ' review__value--bad' : ''}`}>{shown(values, path)}</Text>
                {problem && <Text className='form-field__error review__problem'>{problem}</Text>}
              </View>
            )
          })}
        </View>
      ))}
    </View>
  )
}
