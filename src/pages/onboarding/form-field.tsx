import { Button, Image, Input, Text, View } from '@tarojs/components'
import { fieldError, type UploadState } from '@/store/onboarding'
import { fieldInfo, type FieldPath, type ImageField } from '@/store/onboarding-fields'
import { useOnboardingStore } from '@/store'
import { FIELD_KINDS, HINTS, LONG_TERM, fieldId } from './field-config'

type InputEvent = { detail: { value: string } }

/** One field of the form: label, input, the rule's or the server's message under it, and a hint. */
export function FormField({ path }: { path: FieldPath }) {
  const value = useOnboardingStore((s) => s.values[path])
  const error = useOnboardingStore((s) => fieldError(s, path))
  const setField = useOnboardingStore((s) => s.setField)
  const touch = useOnboardingStore((s) => s.touch)
  const info = fieldInfo(path)
  const kind = FIELD_KINDS[path]
  const hint = HINTS[path]

  return (
    <View className={`form-field${error ? ' form-field--error' : ''}`} id={fieldId(path, 'field')}>
      <Text className='form-field__label'>{info.label}{info.optional ? <Text className='form-field__optional'>（选填）</Text> : null}</Text>
      {kind.kind === 'text' && (
        <Input
          id={fieldId(path)}
          className='form-field__input'
          type={kind.type ?? 'text'}
          placeholder={kind.placeholder}
          maxlength={kind.maxlength ?? 140}
          value={value}
          onInput={(e: InputEvent) => setField(path, e.detail.value)}
          onBlur={() => touch(path)}
        />
      )}
      {kind.kind === 'choice' && (
        <View className='choice'>
          {kind.options.map((o) => (
            <View
              key={o.value}
              id={`${fieldId(path, 'c')}-${o.value}`}
              className={`choice__option${value === o.value ? ' choice__option--on' : ''}`}
              onClick={() => { setField(path, o.value); touch(path) }}
            >
              <Text className='choice__label'>{o.label}</Text>
              {o.note && <Text className='choice__note'>{o.note}</Text>}
            </View>
          ))}
        </View>
      )}
      {kind.kind === 'until' && (
        <View className='until'>
          <Input
            id={fieldId(path)}
            className='form-field__input until__input'
            placeholder='YYYY-MM-DD'
            maxlength={10}
            disabled={value === LONG_TERM}
            value={value === LONG_TERM ? '' : value}
            onInput={(e: InputEvent) => setField(path, e.detail.value)}
            onBlur={() => touch(path)}
          />
          <View
            id={fieldId(path, 'long')}
            className={`choice__option until__long${value === LONG_TERM ? ' choice__option--on' : ''}`}
            onClick={() => { setField(path, value === LONG_TERM ? '' : LONG_TERM); touch(path) }}
          >
            <Text>{LONG_TERM}</Text>
          </View>
        </View>
      )}
      {kind.kind === 'image' && <ImagePicker field={path as ImageField} note={kind.note} />}
      {error && <Text id={fieldId(path, 'e')} className='form-field__error'>{error}</Text>}
      {hint && !error && <Text className='form-field__hint'>{hint}</Text>}
    </View>
  )
}

const uploadText = (u: UploadState | undefined, hasValue: boolean): string => {
  if (!u) return hasValue ? '已上传' : '点击上传'
  if (u.status === 'uploading') return `上传中 ${u.progress}%`
  if (u.status === 'done') return '已上传，点击更换'
  return '上传失败'
}

/** A photo tile: pick → uploading n% → uploaded (with preview), or the reason it failed and 重试. */
function ImagePicker({ field, note }: { field: ImageField; note: string }) {
  const upload = useOnboardingStore((s) => s.uploads[field])
  const hasValue = useOnboardingStore((s) => s.values[field] !== '')
  const pickImage = useOnboardingStore((s) => s.pickImage)
  const retryUpload = useOnboardingStore((s) => s.retryUpload)
  const busy = upload?.status === 'uploading'
  const preview = upload && upload.status !== 'failed' ? upload.path : null
  return (
    <View className='image-picker'>
      <View id={fieldId(field, 'img')} className={`image-picker__tile image-picker__tile--${upload?.status ?? (hasValue ? 'done' : 'idle')}`} onClick={() => { if (!busy) void pickImage(field) }}>
        {preview ? <Image className='image-picker__preview' src={preview} mode='aspectFill' /> : <Text className='image-picker__plus'>+</Text>}
        <Text id={fieldId(field, 'status')} className='image-picker__status'>{uploadText(upload, hasValue)}</Text>
        {busy && <View className='image-picker__bar'><View className='image-picker__fill' style={{ width: `${upload.progress}%` }} /></View>}
      </View>
      <View className='image-picker__side'>
        <Text className='image-picker__note'>{note}</Text>
        {upload?.status === 'failed' && (
          <>
            <Text id={fieldId(field, 'upload-error')} className='form-field__error'>{upload.message}</Text>
            <Button id={fieldId(field, 'retry')} className='image-picker__retry' size='mini' onClick={() => void retryUpload(field)}>{upload.path ? '重试' : '重新选择'}</Button>
          </>
        )}
      </View>
    </View>
  )
}
