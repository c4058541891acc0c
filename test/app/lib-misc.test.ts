import { ERROR_CODES, ERROR_MESSAGES, AppError, toAppError } from '@/lib/errors'
import { newRequestId, randomString, toBase64 } from '@/lib/random'
import { formatChinaTime } from '@/lib/time'

describe('toBase64 (no btoa in mini-program runtimes)', () => {
  test.each([
    [[], ''],
    [[0x66], 'Zg=='],
    [[0x66, 0x6f], 'Zm8='],
    [[0x66, 0x6f, 0x6f], 'Zm9v'],
    [[0xff, 0xfe, 0xfd, 0x00], '//79AA=='],
  ])('%j → %s', (bytes, expected) => {
    expect(toBase64(Uint8Array.from(bytes))).toBe(expected)
    expect(toBase64(Uint8Array.from(bytes))).toBe(Buffer.from(bytes).toString('base64'))
  })
})

test('request ids match the backend pattern and differ', () => {
  const a = newRequestId()
  expect(a).toMatch(/^[A-Za-z0-9_-]{8,64}$/)
  expect(newRequestId()).not.toBe(a)
  expect(randomString(5, 'x')).toBe('xxxxx')
})

test('times are shown in China time whatever the device zone', () => {
  expect(formatChinaTime('2026-11-23T01:02:03.000Z')).toBe('2026-11-23 09:02:03')
  expect(formatChinaTime('2026-11-23T16:30:00Z')).toBe('2026-11-24 00:30:00')
  expect(formatChinaTime(null)).toBe('')
  expect(formatChinaTime('not a date')).toBe('not a date')
})

test('every error code has a Chinese message', () => {
  for (const code of ERROR_CODES) expect(ERROR_MESSAGES[code]).toMatch(/[\u4e00-\u9fff]/)
  expect(toAppError(new AppError('TIMEOUT'))).toMatchObject({ code: 'TIMEOUT', message: '请求超时，请稍后重试' })
  expect(toAppError('weird')).toMatchObject({ code: 'UNKNOWN', detail: 'weird' })
})
